/**
 * Config values Flux sites write, as Flux reads them: a policy limit of
 * duration "0" or size -1 is no limit, and in a queue's table it lifts the
 * general limit for that queue (flux queue list shows it); a prolog's
 * kill-timeout as a number of seconds, its timeout "infinity".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

const tmp = tmpdir('flux-t1143-');
let inst: Instance;

test.before(async () => {
  const conf = path.join(tmp.dir, 'site.toml');
  fs.writeFileSync(
    conf,
    [
      '[policy.limits]',
      'duration = "1h"',
      'job-size.max.ncores = 1',
      '[queues.small]',
      '[queues.big.policy.limits]',
      'duration = "0"',
      'job-size.max.ncores = -1',
      '[[job-manager.plugins]]',
      'load = "perilog.so"',
      '[job-manager.prolog]',
      'command = ["true"]',
      'kill-timeout = 5',
      'timeout = "infinity"',
      '',
    ].join('\n'),
  );
  inst = await startInstance(['--test-size=1', `-o,--config-path=${conf}`]);
  inst.flux(['queue', 'start', '--all']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('the general limits hold where a queue does not lift them', () => {
  let r = inst.flux(['run', '-q', 'small', '-t', '10m', '-n2', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: requested ncores (2) exceeds policy limit of 1 for queue small\n']);
  r = inst.flux(['run', '-q', 'small', '-t', '2h', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-run: ERROR: requested duration (2h) exceeds policy limit of 1h for queue small\n']);
});

test('a queue\'s duration "0" and size -1 lift them: any duration, no limit, all the cores', () => {
  for (const args of [['-n2', '-t', '5h'], [], ['-n2']]) {
    const r = inst.flux(['run', '-q', 'big', ...args, 'true']);
    assert.equal([r.code, r.stderr], [0, ''], args.join(' '));
  }
  const rows = inst.flux(['queue', 'list', '-no', '{queue} {limits.timelimit!F} {limits.range.ncores}']).stdout;
  assert.is(rows, 'small 1h 0-1\nbig inf 0-2\n');
});

test('a prolog kill-timeout in seconds and a timeout of "infinity" are taken as Flux takes them', () => {
  assert.is(inst.flux(['config', 'get', 'job-manager.prolog.kill-timeout']).stdout, '5\n');
  const r = inst.flux(['run', '-q', 'big', 'true']);
  assert.equal([r.code, r.stderr], [0, '']);
});

test.run();
