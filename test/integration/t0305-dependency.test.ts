/**
 * Job dependencies (RFC 26) through the real `flux`: afterok chains run in
 * order, afternotok/afterok raise a `dependency` exception when they can never
 * be satisfied, afterany, afterexcept, afterstart (and `after`), targets that
 * are already inactive, rejected schemes and ids, DEPEND in `flux jobs`,
 * canceling a dependent job, and --begin-time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '../../cli/api/client';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
let dir: string;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-t0305-'));
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  fs.rmSync(dir, { recursive: true, force: true });
});

/** flux submit ARGS → the job id (asserting success) */
function submit(...args: string[]): string {
  const r = inst.flux(['submit', ...args]);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
}
/** one flux jobs field of one job */
const field = (id: string, f: string) => inst.flux(['jobs', '-n', '-o', `{${f}}`, id]).stdout.trim();
const eventNames = (id: string) =>
  inst
    .flux(['job', 'eventlog', id])
    .stdout.split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(' ')[1]);
function waitClean(id: string): void {
  const r = inst.flux(['job', 'wait-event', '-t', '20', id, 'clean']);
  assert.is(r.code, 0, `${id}: ${r.stderr}`);
}
/** release a job held with --urgency=hold */
async function release(id: string): Promise<void> {
  const h = await Client.connect(inst.uri);
  try {
    await h.rpc('job-manager.urgency', { id: Number(inst.flux(['job', 'id', id]).stdout.trim()), urgency: 16 });
  } finally {
    h.close();
  }
}

test('afterok chain runs in order, each waiting in DEPEND', async () => {
  const log = path.join(dir, 'order');
  const step = (s: string) => ['sh', '-c', `echo ${s} >>${log}`];
  const a = submit('--urgency=hold', ...step('a'));
  const b = submit(`--dependency=afterok:${a}`, ...step('b'));
  const c = submit(`--dependency=afterok:${b}`, ...step('c'));
  assert.is(field(b, 'state'), 'DEPEND');
  assert.is(field(c, 'state_single'), 'D');
  assert.is(field(c, 'dependencies'), `after-success=${b}`);
  const listing = inst.flux(['jobs']).stdout;
  assert.match(listing, new RegExp(`${c} .* D .*depends:after-success=${b}\\n`));
  assert.equal(eventNames(b), ['submit', 'validate', 'dependency-add']);
  await release(a);
  waitClean(c);
  assert.is(fs.readFileSync(log, 'utf8'), 'a\nb\nc\n');
  assert.equal(eventNames(c).slice(0, 6), ['submit', 'validate', 'dependency-add', 'dependency-remove', 'depend', 'priority']);
  assert.match(inst.flux(['job', 'eventlog', c]).stdout, `dependency-remove description="after-success=${b}"`);
  assert.is(field(c, 'result'), 'COMPLETED');
  assert.is(field(c, 'dependencies'), '');
});

test('afternotok on a job that succeeds gets a dependency exception; afterok on a failure too', async () => {
  const ok = submit('--urgency=hold', 'true');
  const bad = submit('--urgency=hold', 'false');
  const notok = submit(`--dependency=afternotok:${ok}`, 'true');
  const okOnBad = submit(`--dependency=afterok:${bad}`, 'true');
  const notokOnBad = submit(`--dependency=afternotok:${bad}`, 'true');
  await release(ok);
  await release(bad);
  for (const id of [notok, okOnBad, notokOnBad]) waitClean(id);
  const ev = inst.flux(['job', 'eventlog', notok]).stdout;
  assert.match(ev, `exception type="dependency" severity=0 note="dependency after-failure=${ok} can never be satisfied"`);
  assert.not.match(ev, ' start\n');
  assert.is(field(notok, 'result'), 'FAILED');
  assert.match(field(notok, 'exception.note'), `dependency after-failure=${ok} can never be satisfied`);
  assert.match(inst.flux(['job', 'eventlog', okOnBad]).stdout, `note="dependency after-success=${bad} can never be satisfied"`);
  assert.is(field(notokOnBad, 'result'), 'COMPLETED');
});

test('afterany runs after success, failure and cancel; afterexcept only after an exception', async () => {
  const t1 = submit('--urgency=hold', 'true');
  const t2 = submit('--urgency=hold', 'false');
  const t3 = submit('sleep', '30');
  const any = submit(`--dependency=afterany:${t1}`, `--dependency=afterany:${t2}`, `--dependency=afterany:${t3}`, 'true');
  const exc = submit(`--dependency=afterexcept:${t3}`, 'true');
  const excOnFail = submit(`--dependency=afterexcept:${t2}`, 'true');
  assert.is(field(any, 'dependencies'), `after-finish=${t1},after-finish=${t2},after-finish=${t3}`);
  await release(t1);
  await release(t2);
  waitClean(t2);
  assert.is(field(any, 'state'), 'DEPEND');
  assert.is(field(any, 'dependencies'), `after-finish=${t3}`);
  assert.is(inst.flux(['job', 'wait-event', '-t', '20', t3, 'start']).code, 0);
  assert.is(inst.flux(['cancel', t3]).code, 0);
  for (const id of [any, exc, excOnFail]) waitClean(id);
  assert.is(field(any, 'result'), 'COMPLETED');
  assert.is(field(exc, 'result'), 'COMPLETED');
  assert.match(inst.flux(['job', 'eventlog', excOnFail]).stdout, `note="dependency after-except=${t2} can never be satisfied"`);
});

test('afterstart (and its alias after) is satisfied once the target starts', async () => {
  const t = submit('--urgency=hold', 'sleep', '30');
  const s = submit(`--dependency=afterstart:${t}`, 'true');
  const alias = submit(`--dependency=after:${t}`, 'true');
  assert.is(field(s, 'dependencies'), `after-start=${t}`);
  await release(t);
  waitClean(s);
  waitClean(alias);
  assert.is(field(t, 'state'), 'RUN');
  // the target is already running: satisfied at once
  const late = submit(`--dependency=afterstart:${t}`, 'true');
  waitClean(late);
  assert.is(field(late, 'result'), 'COMPLETED');
  inst.flux(['cancel', t]);
  waitClean(t);
});

test('a target that is already inactive is judged at submit', () => {
  const good = submit('--wait', 'true');
  const failed = inst.flux(['submit', '--wait', 'false']).stdout.trim();
  const ok = submit(`--dependency=afterok:${good}`, 'true');
  waitClean(ok);
  assert.equal(eventNames(ok).slice(0, 6), ['submit', 'validate', 'dependency-add', 'dependency-remove', 'depend', 'priority']);
  const notok = submit(`--dependency=afternotok:${failed}`, 'true');
  waitClean(notok);
  assert.is(field(notok, 'result'), 'COMPLETED');
  const rej = inst.flux(['submit', `--dependency=afterok:${failed}`, 'true']);
  assert.is(rej.code, 1);
  assert.is(rej.stderr, `[Errno 22] dependency: afterok: job ${failed} failed or was canceled\n`);
  const rej2 = inst.flux(['submit', `--dependency=afternotok:${good}`, 'true']);
  assert.is(rej2.stderr, `[Errno 22] dependency: afternotok: job ${good} succeeded\n`);
  const canceled = submit('--urgency=hold', 'true');
  inst.flux(['cancel', canceled]);
  waitClean(canceled);
  const rej3 = inst.flux(['submit', `--dependency=afterstart:${canceled}`, 'true']);
  assert.is(rej3.stderr, `[Errno 22] dependency: after: ${canceled} never started\n`);
});

test('unknown schemes and job ids are rejected with what the user typed', () => {
  const cases: Array<[string, string]> = [
    ['foo:1', '[Errno 22] dependency scheme "foo" not supported\n'],
    ['afterok:ƒ2Abc', '[Errno 22] dependency: afterok: id ƒ2Abc: job not found\n'],
    ['afterany:12345', '[Errno 22] dependency: afterany: id 12345: job not found\n'],
    ['afterok:bar', '[Errno 22] dependency: afterok: "bar" is not a valid jobid\n'],
  ];
  for (const [uri, err] of cases) {
    const r = inst.flux(['submit', `--dependency=${uri}`, 'true']);
    assert.is(r.code, 1, uri);
    assert.is(r.stdout, '', uri);
    assert.is(r.stderr, err, uri);
  }
});

test('a job canceled in DEPEND goes inactive and its target is unaffected', async () => {
  const t = submit('--urgency=hold', 'true');
  const d = submit(`--dependency=afterok:${t}`, 'true');
  const dd = submit(`--dependency=afterok:${d}`, 'true');
  assert.is(inst.flux(['cancel', d]).code, 0);
  waitClean(d);
  assert.is(field(d, 'result'), 'CANCELED');
  // a job that depended on the canceled one can never run
  waitClean(dd);
  assert.match(inst.flux(['job', 'eventlog', dd]).stdout, `note="dependency after-success=${d} job never started"`);
  await release(t);
  waitClean(t);
  assert.is(field(t, 'result'), 'COMPLETED');
});

test('--begin-time holds the job in DEPEND until then', () => {
  // far in the future: DEPEND whatever the load (no race with a short delay)
  const later = submit('--begin-time=+1h', 'true');
  assert.is(field(later, 'state'), 'DEPEND');
  assert.match(field(later, 'dependencies'), /^begin-time=\d+\.\d{3}$/);
  assert.is(inst.flux(['cancel', later]).code, 0);
  // soon: it runs, and its eventlog shows it was held until the time it named
  const id = submit('--begin-time=+1s', 'true');
  waitClean(id);
  assert.is(field(id, 'result'), 'COMPLETED');
  const log = inst.flux(['job', 'eventlog', id]).stdout;
  const at = (name: string) => Number(new RegExp(`^(\\d+\\.\\d+) ${name}\\b`, 'm').exec(log)?.[1]);
  const begin = Number(/dependency-add description="begin-time=(\d+\.\d+)"/.exec(log)?.[1]);
  assert.ok(begin > at('submit'), log);
  // held until the time it named (a timer may round to the millisecond)
  assert.ok(at('dependency-remove') >= begin - 0.01 && at('start') >= begin - 0.01, log);
  const bad = inst.flux(['submit', '--begin-time=whenever', 'true']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, "--begin-time=whenever: invalid datetime 'whenever'");
});

test.run();
