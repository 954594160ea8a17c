/**
 * Tasks on a pseudo-terminal (`-o pty`, `-o pty.interactive`) and interactive
 * sessions: `flux alloc -N2` and `flux run -N2 -o pty.interactive flux start`
 * on a terminal (script(1) provides it) give a shell in a child instance;
 * keystrokes such as ^C reach the remote side.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { startInstance, type Instance } from '../helpers/flux';
import { findProcs } from '../helpers/procs';
import { onTerminal, type Key } from '../helpers/terminal';

let inst: Instance;
const host = os.hostname();
/** in the environment of what the terminal sessions start, to find their processes */
const MARK = `t0501-${process.pid}`;

test.before(async () => {
  // 2 cores per broker whatever the host has: the child instance's size is known
  inst = await startInstance(['--test-size=3'], { env: { FLUX_RESOURCE_FAKE_CORES: '2' } });
});
test.after(async () => {
  await inst.stop();
});

const term = (command: string, keys: Key[]) => onTerminal(command, keys, { ...inst.env, T0501_MARK: MARK });

test('-o pty: the task has a terminal (25x80 unless the client says otherwise)', () => {
  let r = inst.flux(['run', '-o', 'pty', 'tty']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\/dev\/pts\/\d+\r\n$/);
  r = inst.flux(['run', '-o', 'pty', 'sh', '-c', 'stty size; exit 3']);
  assert.equal([r.code, r.stdout], [3, '25 80\r\n']);
});

test('flux alloc -N2 on a terminal: a shell in a child instance of depth 1', async () => {
  const r = await term('flux alloc -N2', ['flux uptime\n', 'flux resource info\n', 'flux run --label-io -N2 hostname\n', 'exit\n']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /run [0-9.]+(?:ms|s|m|h|d),  owner \S+,  depth 1,  size 2\n/);
  assert.match(r.out, '2 Nodes, 4 Cores, 0 GPUs\n');
  assert.match(r.out, `0: ${host}\n`);
  assert.match(r.out, `1: ${host}\n`);
  assert.match(r.out, '[detached: session exiting]\n');
});

test('flux run -N2 -o pty.interactive flux start; ^C reaches the remote shell', async () => {
  const sleeping = () => findProcs({ env: ['T0501_MARK', MARK], args: 'sleep 30' }).length > 0;
  const r = await term('flux run -N2 -o pty.interactive flux start', [
    'flux getattr instance-level\n',
    'sleep 30; echo slept-fully\n',
    { key: '\x03', ready: sleeping, what: 'the remote sleep 30 to run' },
    'echo after-interrupt\n',
    'exit\n',
  ]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /^1$/m);
  assert.match(r.out, /^after-interrupt$/m);
  assert.not.match(r.out, /^slept-fully$/m, '^C interrupted the sleep');
  assert.match(r.out, '[detached: session exiting]\n');
});

test.run();
