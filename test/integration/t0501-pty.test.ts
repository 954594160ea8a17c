/**
 * Tasks on a pseudo-terminal (`-o pty`, `-o pty.interactive`) and interactive
 * sessions: `flux alloc -N2` and `flux run -N2 -o pty.interactive flux start`
 * on a terminal (script(1) provides it) give a shell in a child instance;
 * keystrokes such as ^C reach the remote side.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run, startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
const host = os.hostname();

test.before(async () => {
  inst = await startInstance(['--test-size=3']);
});
test.after(async () => {
  await inst.stop();
});

/**
 * Run COMMAND on a terminal (script -qec) in the instance, typing each of
 * `keys` after a pause (the remote shell needs a moment to start).
 */
function onTerminal(command: string, keys: string[]): { out: string; code: number } {
  const typing = keys.map((k) => `sleep 1.2; printf '%s' '${k.replace(/'/g, "'\\''")}'`).join('; ');
  const r = run('sh', ['-c', `(${typing}; sleep 1) | script -qec '${command}' /dev/null`], {
    env: { ...inst.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, SHELL: '/bin/sh', PS1: '$ ' },
    timeoutMs: 60_000,
  });
  return { out: r.stdout.replace(/\r/g, ''), code: r.code };
}

test('-o pty: the task has a terminal (25x80 unless the client says otherwise)', () => {
  let r = inst.flux(['run', '-o', 'pty', 'tty']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\/dev\/pts\/\d+\r\n$/);
  r = inst.flux(['run', '-o', 'pty', 'sh', '-c', 'stty size; exit 3']);
  assert.equal([r.code, r.stdout], [3, '25 80\r\n']);
});

test('flux alloc -N2 on a terminal: a shell in a child instance of depth 1', () => {
  const r = onTerminal('flux alloc -N2', ['flux uptime\n', 'flux resource info\n', 'flux run --label-io -N2 hostname\n', 'exit\n']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /run [0-9.]+(?:ms|s|m|h|d),  owner \S+,  depth 1,  size 2\n/);
  assert.match(r.out, '2 Nodes, 4 Cores, 0 GPUs\n');
  assert.match(r.out, `0: ${host}\n`);
  assert.match(r.out, `1: ${host}\n`);
  assert.match(r.out, '[detached: session exiting]\n');
});

test('flux run -N2 -o pty.interactive flux start; ^C reaches the remote shell', () => {
  const r = onTerminal('flux run -N2 -o pty.interactive flux start', ['flux getattr instance-level\n', 'sleep 30; echo slept-fully\n', '\x03', 'echo after-interrupt\n', 'exit\n']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /^1$/m);
  assert.match(r.out, /^after-interrupt$/m);
  assert.not.match(r.out, /^slept-fully$/m, '^C interrupted the sleep');
  assert.match(r.out, '[detached: session exiting]\n');
});

test.run();
