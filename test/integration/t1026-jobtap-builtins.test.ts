/**
 * Flux's builtin jobtap plugins and the ones it ships, through the real
 * `flux`: `flux jobtap list -a` shows .history and .post-event; .history
 * answers `flux job last` (and, removed, does not); .post-event serves `flux
 * post-job-event`; submit-hold.so holds every job; alloc-bypass.so runs an
 * owner's job on the R it gives, without the scheduler; alloc-check.so
 * raises an exception on a job given resources another one holds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

type Result = { code: number; stdout: string; stderr: string };
function ok(r: Result, what: string): string {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}
function fails(r: Result, line: string, code = 1): void {
  assert.is(r.stderr, `${line}\n`);
  assert.is(r.code, code, line);
}
const flux = (...args: string[]) => inst.flux(args);
const submit = (...args: string[]) => ok(flux('submit', ...args), `submit ${args.join(' ')}`).trim();
const field = (id: string, f: string) => flux('jobs', '-n', '-o', `{${f}}`, id).stdout.trim();
const waitEvent = (id: string, ev: string) => ok(flux('job', 'wait-event', '-t', '30', id, ev), `wait ${ev} ${id}`);
const eventNames = (id: string) => flux('job', 'eventlog', id).stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1]);

test('list -a shows the builtins in load order, .history and .post-event among them', () => {
  assert.is(ok(flux('jobtap', 'list'), 'list'), '');
  assert.is(ok(flux('jobtap', 'list', '-a'), 'list -a'), '.priority-default\n.dependency-after\n.dependency-singleton\n.begin-time\n.history\n.post-event\n');
  assert.is(ok(flux('jobtap', 'query', '.history'), 'query').trim(), '{"name":".history","path":"builtin"}');
  assert.is(ok(flux('jobtap', 'query', '.post-event'), 'query').trim(), '{"name":".post-event","path":"builtin"}');
});

test('.history: flux job last, newest first; removed, flux job last fails; loaded again it follows new jobs', () => {
  const a = submit('true');
  const b = submit('true');
  waitEvent(b, 'clean');
  assert.is(ok(flux('job', 'last'), 'last'), `${b}\n`);
  assert.is(ok(flux('job', 'last', '2'), 'last 2'), `${b}\n${a}\n`);
  assert.is(ok(flux('job', 'last', '[1]'), 'last [1]'), `${a}\n`);
  ok(flux('jobtap', 'remove', '.history'), 'remove .history');
  fails(flux('job', 'last'), 'flux-job: Function not implemented');
  ok(flux('jobtap', 'load', '.history'), 'load .history');
  const c = submit('true');
  assert.is(ok(flux('job', 'last'), 'last'), `${c}\n`);
  waitEvent(c, 'clean');
});

test('.post-event: flux post-job-event posts an event with its context; bad ids, inactive jobs, the job manager\'s own events refused', () => {
  const id = submit('--urgency=hold', 'true');
  ok(flux('post-job-event', id, 'test', 'note=testing', 'status=0'), 'post');
  assert.match(ok(flux('job', 'wait-event', '-t', '10', id, 'test'), 'wait test'), 'test note="testing" status=0');
  fails(flux('post-job-event', id, 'free'), 'flux-job-post-event: ERROR: free is an event the job manager posts itself as the job moves: it cannot be posted by hand');
  fails(flux('post-job-event', 'baz', 'test'), "flux-job-post-event: ERROR: invalid JobID value: 'baz'");
  fails(flux('post-job-event', id), 'usage: flux-job-post-event [-h] id name ...\nflux-job-post-event: error: the following arguments are required: name', 2);
  // an exception posted by hand is raised: the job ends
  ok(flux('post-job-event', id, 'exception', 'type=stuck', 'severity=0', 'note=by hand'), 'post exception');
  waitEvent(id, 'clean');
  assert.is(field(id, 'result'), 'FAILED');
  assert.match(flux('job', 'eventlog', id).stdout, 'exception type="stuck" severity=0 note="by hand"');
  fails(flux('post-job-event', id, 'test'), `flux-job-post-event: ERROR: No such job ${id}`);
});

test('submit-hold.so: every job is held (urgency 0) until its urgency is set', () => {
  ok(flux('jobtap', 'load', 'submit-hold.so'), 'load');
  assert.is(ok(flux('jobtap', 'list'), 'list'), 'submit-hold.so\n');
  const id = submit('true');
  assert.is(flux('jobs', '-n', '-o', '{state} {urgency}', id).stdout, 'SCHED 0\n');
  assert.match(flux('job', 'eventlog', id).stdout, /urgency urgency=0 userid=\d+\n\S+ priority priority=0\n/);
  ok(flux('job', 'urgency', id, 'default'), 'urgency default');
  waitEvent(id, 'clean');
  assert.is(field(id, 'result'), 'COMPLETED');
  ok(flux('jobtap', 'remove', 'submit-hold.so'), 'remove');
  const free = submit('true');
  waitEvent(free, 'clean');
});

test('alloc-bypass.so runs a job on the R it gives; alloc-check.so fails a job given resources already allocated', () => {
  ok(flux('jobtap', 'load', 'alloc-bypass.so'), 'load alloc-bypass');
  ok(flux('jobtap', 'load', 'alloc-check.so'), 'load alloc-check');
  assert.is(ok(flux('jobtap', 'list'), 'list'), 'alloc-bypass.so\nalloc-check.so\n');
  fails(flux('jobtap', 'load', 'alloc-bypass.so'), 'flux-jobtap: ERROR: alloc-bypass.so already loaded');
  assert.match(ok(flux('jobtap', 'query', 'alloc-bypass.so'), 'query'), /^\{"name":"alloc-bypass\.so","path":".*alloc-bypass.*"\}\n$/);
  const R = ok(flux('R', 'encode', '-r0', '-c0'), 'R encode').trim();
  const bypass = submit(`--setattr=system.alloc-bypass.R=${R}`, '-n1', 'sleep', '30');
  waitEvent(bypass, 'start');
  assert.match(flux('job', 'eventlog', bypass).stdout, /\n\S+ alloc bypass=true\n/);
  assert.is(flux('jobs', '-n', '-o', '{state} {ranks}', bypass).stdout, 'RUN 0\n');
  // the scheduler does not know core 0 is used: it gives it again, and alloc-check catches it
  const other = submit('-n2', 'true');
  waitEvent(other, 'clean');
  assert.is(field(other, 'result'), 'FAILED');
  assert.match(flux('job', 'eventlog', other).stdout, 'exception type="alloc-check" severity=0 note="resources already allocated"');
  assert.equal(eventNames(other).slice(-4), ['alloc', 'exception', 'free', 'clean']);
  ok(flux('cancel', bypass), 'cancel');
  waitEvent(bypass, 'clean');
  assert.equal(eventNames(bypass).slice(-2), ['free', 'clean']);
  // the resources it freed were never the scheduler's: a job that needs them all runs
  const all = submit('-n2', 'true');
  waitEvent(all, 'clean');
  assert.is(field(all, 'result'), 'COMPLETED');
  fails(flux('submit', '--setattr=system.alloc-bypass.R={"version":2}', 'true'), '[Errno 22] alloc-bypass: invalid R: invalid version=2');
  ok(flux('jobtap', 'remove', 'all'), 'remove all');
  assert.is(ok(flux('jobtap', 'list'), 'list'), '');
});

test.run();
