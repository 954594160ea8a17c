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

test.run();
