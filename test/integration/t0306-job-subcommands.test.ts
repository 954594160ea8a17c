/** flux job urgency/raise/raiseall/killall/timeleft/hostpids against a real instance. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as os from 'node:os';
import { processAlive, startInstance, type Instance, type Result } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
let done: string;

const submit = (...args: string[]): string => inst.flux(['submit', ...args]).stdout.trim();
const st = (id: string, fmt = '{status_abbrev}'): string => inst.flux(['jobs', '-n', '-o', fmt, id]).stdout.trim();
function started(id: string): void {
  assert.is(inst.flux(['job', 'wait-event', '-t', '20', id, 'start']).code, 0);
}
function fails(r: Result, stderr: string, code = 1): void {
  assert.is(r.stderr, stderr);
  assert.is(r.code, code);
}
function cancelAll(): void {
  inst.flux(['cancel', '--all']);
  inst.flux(['queue', 'drain']);
}

test.before(async () => {
  inst = await startInstance();
  done = submit('--wait', 'true');
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('urgency hold keeps a pending job in SCHED; default releases it and it runs', () => {
  inst.flux(['queue', 'stop']);
  const id = submit('true');
  assert.is(st(id, '{status_abbrev} {priority}'), 'S 16');
  const held = inst.flux(['job', 'urgency', '-v', id, 'hold']);
  assert.is(held.code, 0);
  assert.is(held.stderr, 'old urgency: 16\n');
  inst.flux(['queue', 'start']);
  // a job submitted after it runs to the end: the scheduler had its chance and left the held one
  assert.is(inst.flux(['submit', '--wait', 'true']).code, 0);
  assert.is(st(id, '{status_abbrev} {priority} {contextual_info}'), 'S 0 held');
  const rel = inst.flux(['job', 'urgency', '-v', id, 'default']);
  assert.is(rel.stderr, 'old urgency: job held\n');
  assert.is(inst.flux(['job', 'status', id]).code, 0);
  assert.is(st(id), 'CD');
  assert.match(inst.flux(['job', 'eventlog', id]).stdout, /urgency urgency=0 userid=\d+\n.* priority priority=0\n/);
});

test('urgency -v names held, expedited and numeric values', () => {
  inst.flux(['queue', 'stop']);
  const id = submit('true');
  assert.is(inst.flux(['job', 'urgency', id, '7']).code, 0);
  assert.is(inst.flux(['job', 'urgency', '-v', id, 'expedite']).stderr, 'old urgency: 7\n');
  assert.is(inst.flux(['job', 'urgency', '-v', id, 'HOLD']).stderr, 'old urgency: job expedited\n');
  inst.flux(['queue', 'start']);
  assert.is(inst.flux(['job', 'urgency', '-v', id, '31']).stderr, 'old urgency: job held\n');
  inst.flux(['job', 'status', id]);
  assert.is(st(id, '{status_abbrev} {urgency}'), 'CD 31');
});

test('urgency errors', () => {
  fails(inst.flux(['job', 'urgency', done, '5']), `flux-job: ${done}: job is inactive\n`);
  fails(inst.flux(['job', 'urgency', 'f123456789', '5']), 'flux-job: f123456789: unknown job\n');
  const held = submit('--urgency=hold', 'true');
  fails(inst.flux(['job', 'urgency', held, 'foo']), 'flux-job: error parsing urgency: "foo"\n');
  fails(inst.flux(['job', 'urgency', held, '99']), `flux-job: ${held}: urgency value is out of range\n`);
  fails(inst.flux(['job', 'urgency', 'bogus!', '5']), 'flux-job: error parsing jobid: "bogus!"\n');
  const usage = inst.flux(['job', 'urgency', held]);
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-job urgency \[OPTIONS\] id urgency\n/);
  const run = submit('sleep', '60');
  started(run);
  fails(inst.flux(['job', 'urgency', run, 'hold']), `flux-job: ${run}: urgency cannot be changed once resources are allocated\n`);
  cancelAll();
});

test('raise: a fatal exception ends a running job; the note is recorded', () => {
  const id = submit('sleep', '60');
  started(id);
  const r = inst.flux(['job', 'raise', '-t', 'test', '-m', 'oops', id]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.is(inst.flux(['job', 'status', id]).code, 143);
  assert.is(st(id), 'F');
  assert.match(inst.flux(['job', 'wait-event', id, 'exception']).stdout, /^\d+\.\d+ exception type="test" severity=0 note="oops" userid=\d+\n$/);
});

test('raise: non-fatal severity leaves a job pending; note after -- cancels it', () => {
  const id = submit('--urgency=hold', 'true');
  assert.is(inst.flux(['job', 'raise', '-s', '5', '-t', 'warn', id, 'just', 'a', 'note']).code, 0);
  assert.is(st(id), 'S');
  assert.is(inst.flux(['job', 'raise', id, '--', 'bye', 'now']).code, 0);
  inst.flux(['job', 'status', id]);
  assert.is(st(id, '{status_abbrev} {inactive_reason}'), 'CA Canceled: bye now');
});

test('raise errors', () => {
  fails(inst.flux(['job', 'raise', done]), `flux-job: raise ${done}: job is inactive\n`);
  fails(inst.flux(['job', 'raise', 'f123456789', done]), `flux-job: raise f123456789: unknown job id\nflux-job: raise ${done}: job is inactive\n`);
  const id = submit('--urgency=hold', 'true');
  fails(inst.flux(['job', 'raise', '-m', 'x', id, 'y']), 'flux-job: Do not set note on command line and with --message\n');
  fails(inst.flux(['job', 'raise', '-s', '9', id]), `flux-job: raise ${id}: invalid exception severity\n`);
  fails(inst.flux(['job', 'raise', '-t', 'a=b', id]), `flux-job: raise ${id}: invalid exception type\n`);
  fails(inst.flux(['job', 'raise', '-s', 'x', id]), "flux-job raise: raise: Option 'severity' requires an integer argument\n");
  fails(inst.flux(['job', 'raise', '--meep', id]), "flux-job raise: unrecognized option '--meep'\nTry `flux-job raise --help' for more information.\n");
  const usage = inst.flux(['job', 'raise']);
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-job raise \[OPTIONS\] ids\.\.\. \[--\] \[message \.\.\.\]\n/);
  assert.is(st(id), 'S');
  cancelAll();
});

test('raiseall: dry run, -f (severity 7 by default), fatal with -s 0 -S', () => {
  const a = submit('--urgency=hold', 'true');
  const b = submit('--urgency=hold', 'true');
  fails(inst.flux(['job', 'raiseall', 'test', 'not', 'raised']), 'flux-job: Command matched 2 jobs (-f to confirm)\n', 0);
  assert.not.match(inst.flux(['job', 'eventlog', a]).stdout, /exception/);
  fails(inst.flux(['job', 'raiseall', '-f', 'test', 'raised']), 'flux-job: Raised exception on 2 jobs (0 errors)\n', 0);
  assert.match(inst.flux(['job', 'eventlog', b]).stdout, /exception type="test" severity=7 note="raised"/);
  assert.is(st(a) + st(b), 'SS');
  fails(inst.flux(['job', 'raiseall', '-S', 'run', '-s', '0', '-f', 'cancel']), 'flux-job: Command matched 0 jobs\n', 0);
  fails(inst.flux(['job', 'raiseall', '-S', 'sched,run', '-s', '0', '-f', 'cancel']), 'flux-job: Raised exception on 2 jobs (0 errors)\n', 0);
  inst.flux(['job', 'status', a, b]);
  assert.is(st(a) + st(b), 'CACA');
});

test('raiseall errors', () => {
  const usage = inst.flux(['job', 'raiseall']);
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-job raiseall OPTIONS type \[message \.\.\.\]\n/);
  fails(inst.flux(['job', 'raiseall', '-S', 'FOO', 'test']), 'flux-job: error parsing --states: FOO is unknown\n');
  fails(inst.flux(['job', 'raiseall', '-S', 'inactive', 'test']), 'flux-job: Exceptions cannot be raised on inactive jobs\n');
  fails(inst.flux(['job', 'raiseall', '--states=', 'test']), 'flux-job: no states specified\n');
  fails(inst.flux(['job', 'raiseall', '-s', '9', 'test']), 'flux-job: raiseall: invalid exception severity\n');
  fails(inst.flux(['job', 'raiseall', 'bad type']), 'flux-job: raiseall: invalid exception type\n');
  fails(inst.flux(['job', 'raiseall', '-u', 'no-such-user-x', 'test']), 'flux-job: unknown user no-such-user-x\n');
});

test('killall: dry run, then -f signals running jobs only', () => {
  fails(inst.flux(['job', 'killall']), 'flux-job: Command matched 0 jobs\n', 0);
  const id = submit('sleep', '60');
  const held = submit('--urgency=hold', 'true');
  started(id);
  fails(inst.flux(['job', 'killall']), 'flux-job: Command matched 1 jobs (-f to confirm)\n', 0);
  assert.is(st(id), 'R');
  fails(inst.flux(['job', 'killall', '-f']), 'flux-job: Terminated 1 jobs (0 errors)\n', 0);
  assert.is(inst.flux(['job', 'status', id]).code, 143);
  const usr = submit('sleep', '60');
  started(usr);
  fails(inst.flux(['job', 'killall', '-f', '-s', 'USR1']), 'flux-job: User defined signal 1 1 jobs (0 errors)\n', 0);
  assert.is(inst.flux(['job', 'status', usr]).code, 138);
  assert.is(st(held), 'S');
  fails(inst.flux(['job', 'killall', '-s', 'BOGUS']), 'flux-job: killall: Invalid signal BOGUS\n');
  const usage = inst.flux(['job', 'killall', 'extra']);
  assert.is(usage.code, 1);
  assert.match(usage.stderr, /^Usage: flux-job killall \[OPTIONS\]\n/);
  cancelAll();
});

test('timeleft: instance, jobs with and without a limit, and errors', () => {
  assert.is(inst.flux(['job', 'timeleft']).stdout, '4294967295\n');
  assert.is(inst.flux(['job', 'timeleft', '-H']).stdout, 'infinity\n');
  assert.is(inst.flux(['run', 'flux', 'job', 'timeleft', '-H']).stdout, 'infinity\n');
  const inJob = Number(inst.flux(['run', '-t', '1m', 'flux', 'job', 'timeleft']).stdout);
  assert.ok(inJob > 0 && inJob <= 60, String(inJob));
  const id = submit('-t', '1m', 'sleep', '60');
  started(id);
  const left = Number(inst.flux(['job', 'timeleft', id]).stdout);
  assert.ok(left > 0 && left <= 60, String(left));
  assert.match(inst.flux(['job', 'timeleft', '-H', id]).stdout, /^\d+(\.\d+)?s\n$/);
  inst.flux(['cancel', id]);
  inst.flux(['job', 'status', id]);
  assert.is(inst.flux(['job', 'timeleft', id]).stdout, '0\n');
  assert.is(inst.flux(['job', 'timeleft', done]).stdout, '0\n');
  const held = submit('--urgency=hold', 'true');
  fails(inst.flux(['job', 'timeleft', held]), `flux-job: job ${held} has not started\n`);
  fails(inst.flux(['job', 'timeleft', 'x1234']), 'flux-job: failed to parse jobid x1234\n');
  fails(inst.flux(['job', 'timeleft', 'f1234']), 'flux-job: f1234: no such jobid\n');
  assert.is(inst.flux(['job', 'timeleft', done, held]).code, 1);
  cancelAll();
});

test('hostpids: host:pid of each running task, by rank; -d, -r, -t; errors', () => {
  const id = submit('-n2', 'sleep', '30');
  started(id);
  const r = inst.flux(['job', 'hostpids', id]);
  assert.is(r.code, 0, r.stderr);
  const pairs = r.stdout.trim().split(',');
  assert.is(pairs.length, 2);
  for (const hp of pairs) {
    const [host, pid] = hp.split(':');
    assert.is(host, os.hostname());
    assert.ok(processAlive(Number(pid)), `${hp} is a live task`);
  }
  assert.is(inst.flux(['job', 'hostpids', '-d', ' ', id]).stdout, `${pairs.join(' ')}\n`);
  assert.is(inst.flux(['job', 'hostpids', '-r', '1', id]).stdout, `${pairs[1]}\n`);
  cancelAll();
  fails(inst.flux(['job', 'hostpids', done]), `flux-job: ${done}: job has already completed\n`);
  const held = submit('--urgency=hold', 'true');
  fails(inst.flux(['job', 'hostpids', '-t', '0.2s', held]), `flux-job: ${held}: timeout waiting for job to start\n`);
  cancelAll();
});

test('wait-event: -m KEY=VAL, -c N, -T/-H, -W and their errors', async () => {
  const we = (...args: string[]) => inst.flux(['job', 'wait-event', ...args]);
  assert.match(we('-m', 'status=0', done, 'finish').stdout, /^\d+\.\d+ finish status=0\n$/);
  fails(we('-m', 'status=1', done, 'finish'), "flux-job: event 'finish' never received\n");
  assert.match(we('-T', 'offset', '-v', done, 'depend').stdout, /^0\.000000 submit .*\n\d+\.\d+ validate\n\d+\.\d+ depend\n$/);
  assert.match(we('-H', done, 'submit').stdout, /^\[\w{3}\d{2} \d{2}:\d{2}\] submit /);
  fails(we('-m', 'status', done, 'finish'), 'flux-job: must specify a context test as key=value\n');
  fails(we('-c', '0', done, 'finish'), 'flux-job: count must be > 0\n');
  fails(we('-c', 'x', done, 'finish'), "flux-job wait-event: wait-event: Option 'count' requires an integer argument\n");
  fails(we('-T', 'bad', done, 'finish'), "flux-job: invalid time-format type 'bad'\n");
  fails(we('-f', 'bad', done, 'finish'), "flux-job: invalid format type 'bad'\n");
  // a held job: non-fatal exceptions to count and match; a log of our own to wait for (-W)
  const held = submit('--urgency=hold', 'true');
  for (const note of ['one', 'two', 'three']) assert.is(inst.flux(['job', 'raise', '-s', '7', '-t', 'test', held, note]).code, 0);
  assert.match(we('-c', '2', held, 'exception').stdout, /note="two"/);
  assert.match(we('-m', 'note=three', held, 'exception').stdout, /note="three"/);
  assert.match(we('-m', 'note="one"', '-c', '1', held, 'exception').stdout, /note="one"/);
  fails(we('-m', 'note=two', '-c', '2', '-t', '0.3', held, 'exception'), "flux-job: wait-event timeout on event 'exception'\n");
  fails(we('-p', 'mylog', '-t', '5', held, 'x'), 'flux-job: eventlog path mylog not found\n');
  const watchers = () => (JSON.parse(inst.flux(['module', 'stats', 'kvs']).stdout) as { watchers: number }).watchers;
  const before = watchers();
  const waiting = inst.fluxAsync(['job', 'wait-event', '-W', '-t', '30', '-p', 'mylog', '-m', 'k=v', held, 'x']);
  // the log is made only once the wait is in (its watch counted by the kvs)
  await until(() => watchers() > before, 'the wait-event watch');
  const dir = inst.flux(['job', 'id', '--to=kvs', held]).stdout.trim();
  assert.is(inst.flux(['kvs', 'eventlog', 'append', `${dir}.mylog`, 'x', '{"k":"w"}']).code, 0);
  assert.is(inst.flux(['kvs', 'eventlog', 'append', `${dir}.mylog`, 'x', '{"k":"v"}']).code, 0);
  const w = await waiting;
  assert.is(w.code, 0, w.stderr);
  assert.match(w.stdout, /^\d+\.\d+ x k="v"\n$/);
  cancelAll();
});

test.run();
