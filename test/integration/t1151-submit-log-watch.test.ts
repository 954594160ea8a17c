/**
 * flux submit / bulksubmit --log and --log-stderr, and the watchers' labels and
 * verbose lines (flux submit --watch, flux watch), as Flux's JobWatcher prints
 * them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
let tmp: { dir: string; cleanup(): void };

test.before(async () => {
  inst = await startInstance();
  tmp = tmpdir();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

const F58 = '[ƒf][1-9A-HJ-NP-Za-km-z]+';
const read = (name: string) => fs.readFileSync(path.join(tmp.dir, name), 'utf8');

test('--log=FILE takes stderr too (a refused job, the job stderr with --watch); --log-stderr splits it off', () => {
  const r = inst.flux(['submit', '--log=a.log', '--urgency=99', 'true'], { cwd: tmp.dir });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', '']);
  assert.is(read('a.log'), '[Errno 22] urgency range is [0:31]\n');

  const w = inst.flux(['submit', '--log=b.log', '--watch', 'sh', '-c', 'echo out; echo err >&2'], { cwd: tmp.dir });
  assert.equal([w.code, w.stdout, w.stderr], [0, '', '']);
  assert.match(read('b.log'), new RegExp(`^${F58}\nout\nerr\n$`));

  const s = inst.flux(['submit', '--log=c.log', '--log-stderr=c2.log', '--watch', 'sh', '-c', 'echo out; echo err >&2'], { cwd: tmp.dir });
  assert.equal([s.code, s.stdout, s.stderr], [0, '', '']);
  assert.match(read('c.log'), new RegExp(`^${F58}\nout\n$`));
  assert.is(read('c2.log'), 'err\n');
});

test('--log=job{cc}.id: one file per copy; bulksubmit --log=b{}.id one per input', () => {
  const r = inst.flux(['submit', '--cc=1-2', '--log=job{cc}.id', 'true'], { cwd: tmp.dir });
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  assert.match(read('job1.id'), new RegExp(`^${F58}\n$`));
  assert.match(read('job2.id'), new RegExp(`^${F58}\n$`));
  assert.is.not(read('job1.id'), read('job2.id'));
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'job{cc}.id')));

  const b = inst.flux(['bulksubmit', '--log=b{}.id', 'echo', '{}', ':::', 'x', 'y'], { cwd: tmp.dir });
  assert.equal([b.code, b.stdout, b.stderr], [0, '', '']);
  assert.match(read('bx.id'), new RegExp(`^${F58}\n$`));
  assert.match(read('by.id'), new RegExp(`^${F58}\n$`));
  assert.not.ok(fs.existsSync(path.join(tmp.dir, 'b{}.id')));

  // copies naming one file share it
  const all = inst.flux(['submit', '--cc=1-3', '--log=all.log', 'true'], { cwd: tmp.dir });
  assert.is(all.code, 0, all.stderr);
  assert.match(read('all.log'), new RegExp(`^(${F58}\n){3}$`));
});

test('--watch -l and flux watch -l: the job id before the task rank, one job or many', () => {
  const r = inst.flux(['submit', '--watch', '-l', 'echo', 'hi']);
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.split('\n')[0]!;
  assert.is(r.stdout, `${id}\n${id}: 0: hi\n`);

  const b = inst.flux(['submit', '-n2', 'sh', '-c', 'echo B$FLUX_TASK_RANK; exit 3']).stdout.trim();
  const w = inst.flux(['watch', '-l', id, b]);
  assert.is(w.code, 3, w.stderr);
  assert.equal(w.stdout.split('\n').filter(Boolean).sort(), [`${b}: 0: B0`, `${b}: 1: B1`, `${id}: 0: hi`].sort());
});

test('-v / -vv: INFO lines, `ID: T.TTTs: complete|failed: status=N`, events with their context', () => {
  const a = inst.flux(['submit', 'true']).stdout.trim();
  const b = inst.flux(['submit', 'sh', '-c', 'exit 3']).stdout.trim();
  const v = inst.flux(['watch', '-v', a, b]);
  assert.is(v.code, 3, v.stderr);
  const lines = v.stderr.split('\n').filter(Boolean);
  assert.is(lines[0], 'flux-watch: INFO: Watching 2 jobs');
  assert.equal(
    lines
      .slice(1)
      .map((l) => l.replace(/ \d+\.\d{3}s: /, ' T: '))
      .sort(),
    [`${a}: T: complete: status=0`, `${b}: T: failed: status=768`].sort(),
  );

  const vv = inst.flux(['watch', '-vv', a]);
  assert.is(vv.code, 0, vv.stderr);
  assert.match(vv.stderr, new RegExp(`^${a}: 0\\.000s: submit \\{"flags":0,"urgency":16,"userid":\\d+,"version":1\\}$`, 'm'));
  assert.match(vv.stderr, new RegExp(`^${a}: \\d+\\.\\d{3}s: validate $`, 'm'));
  assert.match(vv.stderr, new RegExp(`^${a}: \\d+\\.\\d{3}s: exec\\.shell\\.init \\{"leader-rank":0,`, 'm'));

  const s = inst.flux(['submit', '--wait', '-v', 'sh', '-c', 'exit 2']);
  assert.is(s.code, 2, s.stderr);
  const sid = s.stdout.trim();
  assert.match(s.stderr, new RegExp(`^${sid}: \\d+\\.\\d{3}s: failed: status=512\n$`));

  const none = inst.flux(['watch', '-f', 'timeout']);
  assert.equal([none.code, none.stderr], [0, 'flux-watch: INFO: No matching jobs\n']);
});

test('a --log file that cannot be written is one error line, exit 1; one named once submits nothing', () => {
  const before = inst.flux(['jobs', '-a', '-no', '{id}']).stdout;
  const r = inst.flux(['submit', '--log=/nonexistent/x.log', 'true'], { cwd: tmp.dir });
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux-submit: ERROR: [Errno 2] No such file or directory: '/nonexistent/x.log'\n"]);
  assert.is(inst.flux(['jobs', '-a', '-no', '{id}']).stdout, before, 'nothing submitted');
  const b = inst.flux(['bulksubmit', '--log=/nonexistent/b{}.log', 'true', ':::', '1'], { cwd: tmp.dir });
  assert.equal([b.code, b.stderr], [1, "flux-bulksubmit: ERROR: [Errno 2] No such file or directory: '/nonexistent/b1.log'\n"]);
  const full = inst.flux(['submit', '--log=/dev/full', '--wait', 'true'], { cwd: tmp.dir });
  assert.equal([full.code, full.stderr], [1, "flux-submit: ERROR: [Errno 28] No space left on device: '/dev/full'\n"]);
});

test.run();
