/** flux job id/info/eventlog/wait/kill/cancel/last/status and flux cancel against a real instance. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
let done: string;

test.before(async () => {
  inst = await startInstance();
  done = inst.flux(['submit', '--wait', 'true']).stdout.trim();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('job id converts between encodings', () => {
  assert.is(inst.flux(['job', 'id', 'ƒuZZybuNNy']).stdout, '6731191091817518\n');
  assert.is(inst.flux(['job', 'id', '--to=f58', '6731191091817518']).stdout, 'ƒuZZybuNNy\n');
  assert.is(inst.flux(['job', 'id', '--to=dothex', '6731191091817518']).stdout, '0017.e9fb.8df1.6c2e\n');
  assert.is(inst.flux(['job', 'id', '--to=kvs', '0x17e9fb8df16c2e']).stdout, 'job.0017.e9fb.8df1.6c2e\n');
  assert.is(inst.flux(['job', 'id', '--to=hex', '0017.e9fb.8df1.6c2e']).stdout, '0x17e9fb8df16c2e\n');
  assert.is(inst.flux(['job', 'id', '--to=f58'], { input: '1\n42\n' }).stdout, 'ƒ2\nƒj\n');
  const bad = inst.flux(['job', 'id', 'xyz']);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, 'flux-job: xyz: malformed input\n');
  const to = inst.flux(['job', 'id', '--to=bogus', '1']);
  assert.is(to.stderr, 'flux-job: Unknown to=bogus\n');
});

test('job id --from takes ids in that form only', () => {
  assert.is(inst.flux(['job', 'id', '--from=f58', 'ƒuZZybuNNy']).stdout, '6731191091817518\n');
  assert.is(inst.flux(['job', 'id', '--from=hex', '--to=dothex', '0x17e9fb8df16c2e']).stdout, '0017.e9fb.8df1.6c2e\n');
  const other = inst.flux(['job', 'id', '--from=dec', 'ƒuZZybuNNy']);
  assert.is(other.code, 1);
  assert.is(other.stderr, 'flux-job: ƒuZZybuNNy: malformed input\n');
  const bad = inst.flux(['job', 'id', '--from=bogus', '1']);
  assert.is(bad.code, 1);
  assert.is(bad.stderr, 'flux-job: Unknown from=bogus\n');
});

test('job info: usage without a key, raw eventlog, missing key', () => {
  const u = inst.flux(['job', 'info', done]);
  assert.is(u.code, 1);
  assert.match(u.stderr, /^Usage: flux job info id key\nsome useful keys are:\n/);
  const e = inst.flux(['job', 'info', done, 'eventlog']);
  assert.is(e.code, 0);
  const first = JSON.parse(e.stdout.split('\n')[0]!) as { name: string; context: Record<string, unknown> };
  assert.is(first.name, 'submit');
  assert.equal(Object.keys(first.context), ['userid', 'urgency', 'flags', 'version']);
  const k = inst.flux(['job', 'info', done, 'nosuch']);
  assert.is(k.code, 1);
  assert.is(k.stderr, 'flux-job: nosuch: key not found\n');
  const j = inst.flux(['job', 'info', done, 'jobspec']);
  assert.match(j.stdout, /^\{"resources": \[\{"type": "slot", "count": 1/);
  const R = inst.flux(['job', 'info', done, 'R']);
  // as Flux prints it: librlist's key order, the times as reals
  assert.match(R.stdout, /^\{"version": 1, "execution": \{"R_lite": \[\{"rank": "0", "children": \{"core": "\d+"\}\}\], "starttime": \d+\.\d+, "expiration": 0\.0, "nslots": 1, "nodelist": \["[^"]+"\]\}\}\n$/);
});

test('job eventlog: text rendering and errors', () => {
  const r = inst.flux(['job', 'eventlog', done]);
  assert.is(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^\d+\.\d{6} submit userid=\d+ urgency=16 flags=0 version=1$/);
  assert.match(lines[3]!, /^\d+\.\d{6} priority priority=16$/);
  assert.match(lines[lines.length - 1]!, /^\d+\.\d{6} clean$/);
  const off = inst.flux(['job', 'eventlog', '-T', 'offset', done]);
  assert.match(off.stdout, /^0\.000000 submit /);
  const nf = inst.flux(['job', 'eventlog', 'f123456789']);
  assert.is(nf.stderr, 'flux-job: job f123456789 not found\n');
  const p = inst.flux(['job', 'eventlog', '-p', 'nosuch', done]);
  assert.is(p.stderr, 'flux-job: eventlog path nosuch not found\n');
});

test('job wait: waitable jobs only', () => {
  const ok = inst.flux(['submit', '--flags=waitable', 'true']).stdout.trim();
  assert.is(inst.flux(['job', 'wait', ok]).code, 0);
  const bad = inst.flux(['submit', '--flags=waitable', 'false']).stdout.trim();
  const r = inst.flux(['job', 'wait', bad]);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-job: task(s) exited with exit code 1\n');
  const again = inst.flux(['job', 'wait', bad]);
  assert.is(again.code, 2);
  assert.is(again.stderr, 'flux-job: invalid job id, or job may be inactive and not waitable\n');
  const none = inst.flux(['job', 'wait']);
  assert.is(none.code, 2);
  assert.is(none.stderr, 'flux-job: there are no more waitable jobs\n');
});

test('job kill and status: SIGTERM gives 143; killing an inactive job', () => {
  const id = inst.flux(['submit', 'sleep', '60']).stdout.trim();
  inst.flux(['job', 'wait-event', id, 'start']);
  // the job may not have started yet: retry kill until it is running
  let k = inst.flux(['job', 'kill', id]);
  for (let i = 0; i < 50 && k.code !== 0; i++) k = inst.flux(['job', 'kill', id]);
  assert.is(k.code, 0, k.stderr);
  assert.is(inst.flux(['job', 'status', id]).code, 143);
  const again = inst.flux(['job', 'kill', id]);
  assert.is(again.code, 1);
  assert.is(again.stderr, `flux-job: kill ${id}: job is inactive\n`);
  const sig = inst.flux(['job', 'kill', '-s', 'BOGUS', id]);
  assert.is(sig.stderr, 'flux-job: kill: Invalid signal BOGUS\n');
});

test('flux cancel: per-id errors in F58, --all counts, no target', () => {
  const r = inst.flux(['cancel', 'f123456789']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-cancel: ERROR: ƒ23456789: unknown job id\n');
  const dec = inst.flux(['cancel', '12345']);
  assert.is(dec.stderr, 'flux-cancel: ERROR: ƒ4fr: unknown job id\n');
  const bad = inst.flux(['cancel', 'notanid']);
  assert.is(bad.code, 2);
  assert.is(bad.stderr, "usage: flux cancel [OPTIONS] [JOBID...]\nflux-cancel: error: argument JOBID...: invalid JobID value: 'notanid'\n");
  assert.is(inst.flux(['cancel']).stderr, 'flux-cancel: ERROR: No target jobs were provided\n');
  inst.flux(['submit', '--cc=1-2', '--urgency=hold', 'true']);
  assert.is(inst.flux(['cancel', '--all', '--dry-run']).stderr, 'flux-cancel: Would cancel 2 jobs\n');
  assert.is(inst.flux(['cancel', '--all']).stderr, 'flux-cancel: Canceled 2 jobs (0 errors)\n');
  assert.is(inst.flux(['cancel', '--all']).stderr, 'flux-cancel: Matched 0 jobs\n');
  const inactive = inst.flux(['cancel', done]);
  assert.is(inactive.stderr, `flux-cancel: ERROR: ${done}: job is inactive\n`);
});

test('job cancel (legacy) and job last', () => {
  const id = inst.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  assert.is(inst.flux(['job', 'last']).stdout, `${id}\n`);
  assert.is(inst.flux(['job', 'cancel', id, 'bye']).code, 0);
  inst.flux(['job', 'status', id]);
  assert.is(inst.flux(['jobs', '-n', '-o', '{inactive_reason}', id]).stdout, 'Canceled: bye\n');
  const two = inst.flux(['job', 'last', '[:2]']).stdout.trim().split('\n');
  assert.is(two.length, 2);
  assert.is(two[0], id);
  assert.is(inst.flux(['job', 'last', 'bogus']).code, 1);
});

test.run();
