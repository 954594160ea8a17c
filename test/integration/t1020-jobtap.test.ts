/**
 * Job-manager plugins (jobtap) through the real `flux`: flux jobtap
 * load/list/remove/query with Flux's output and errors, the guide's site
 * plugin loaded by path refusing a job with its message and posting an event,
 * the limit plugins, the singleton dependency, a plugin that throws, and a
 * builtin removed and loaded again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir('flux-t1020-');
const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'jobtap', 'require-duration.js');

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

const jobtap = (...args: string[]) => inst.flux(['jobtap', ...args]);
function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}
/** the one-line error and exit 1 of a failed command */
function fails(r: { code: number; stdout: string; stderr: string }, line: string): void {
  assert.is(r.stderr, `${line}\n`);
  assert.is(r.code, 1, line);
}
function submit(...args: string[]): string {
  return ok(inst.flux(['submit', ...args]), `submit ${args.join(' ')}`).trim();
}
const field = (id: string, f: string) => inst.flux(['jobs', '-n', '-o', `{${f}}`, id]).stdout.trim();
function waitClean(id: string): void {
  ok(inst.flux(['job', 'wait-event', '-t', '30', id, 'clean']), `wait clean ${id}`);
}

test('list, load, remove and query as Flux prints them', () => {
  assert.is(ok(jobtap('list'), 'list'), '');
  assert.is(ok(jobtap('list', '-a'), 'list -a'), '.priority-default\n.dependency-after\n.dependency-singleton\n.begin-time\n.history\n.post-event\n');
  assert.is(ok(jobtap('load', 'limit-duration', 'duration=1h'), 'load'), '');
  assert.is(ok(jobtap('list'), 'list'), 'limit-duration\n');
  fails(jobtap('load', 'limit-duration'), 'flux-jobtap: ERROR: limit-duration already loaded');
  const q = JSON.parse(ok(jobtap('query', 'limit-duration'), 'query')) as Record<string, unknown>;
  assert.is(q['name'], 'limit-duration');
  assert.is(q['limit'], 3600);
  assert.match(String(q['path']), /plugins\/jobtap\/limit-duration\/index\.js$/);
  assert.is(ok(jobtap('query', '.begin-time'), 'query builtin').trim(), '{"waiting":0,"name":".begin-time","path":"builtin"}');
  assert.is(ok(jobtap('remove', 'limit-duration'), 'remove'), '');
  fails(jobtap('remove', 'limit-duration'), 'flux-jobtap: ERROR: limit-duration not found');
  fails(jobtap('query', 'nosuch'), 'flux-jobtap: ERROR: nosuch: plugin not found');
  // -r removes first; `remove all` spares the builtins
  ok(jobtap('load', 'limit-duration'), 'load');
  ok(jobtap('load', '-r', 'all', 'limit-job-size'), 'load -r all');
  assert.is(ok(jobtap('list'), 'list'), 'limit-job-size\n');
  ok(jobtap('remove', 'all'), 'remove all');
  assert.is(ok(jobtap('list'), 'list'), '');
  assert.is(ok(jobtap('list', '-a'), 'list -a').split('\n').length, 7);
});

test('bad names, paths, files and config keys: one line each, exit 1', () => {
  fails(jobtap('load', 'nosuch'), 'flux-jobtap: ERROR: nosuch not found');
  fails(jobtap('load', '/nonexistent/x.js'), 'flux-jobtap: ERROR: /nonexistent/x.js not found');
  const notPlugin = path.join(tmp.dir, 'not-a-plugin.js');
  fs.writeFileSync(notPlugin, 'module.exports = { hello: 1 };\n');
  fails(jobtap('load', notPlugin), `flux-jobtap: ERROR: ${notPlugin}: not a flux-ts jobtap plugin (it must export jobtapPlugin: 1 and create())`);
  const broken = path.join(tmp.dir, 'broken.js');
  fs.writeFileSync(broken, 'module.exports = {\n');
  const b = jobtap('load', broken);
  assert.is(b.code, 1);
  assert.match(b.stderr, new RegExp(`^flux-jobtap: ERROR: ${broken}: failed to import: .+\\n$`));
  fails(
    jobtap('load', 'limit-job-size', 'max-ncores=1', 'bogus=2'),
    "flux-jobtap: ERROR: limit-job-size: unknown config key 'bogus' (it takes: min-nnodes, min-ncores, min-ngpus, max-nnodes, max-ncores, max-ngpus)",
  );
  fails(jobtap('load', 'limit-duration', 'duration=soon'), 'flux-jobtap: ERROR: limit-duration: duration must be a duration (FSD), got "soon"');
  const usage = jobtap('load');
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /^usage: flux-jobtap load .*\nflux-jobtap load: error: the following arguments are required: plugin\n$/);
  const bogus = jobtap('bogus');
  assert.is(bogus.code, 2);
  assert.match(bogus.stderr, /invalid choice: 'bogus'/);
  assert.is(ok(jobtap('list'), 'list'), '');
});

test("the guide's site plugin, loaded by path, refuses a job with its message and marks long jobs", () => {
  ok(jobtap('load', EXAMPLE, 'long=60'), 'load example');
  assert.is(ok(jobtap('list'), 'list'), 'require-duration\n');
  const r = inst.flux(['submit', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, '[Errno 22] this site requires a time limit: add -t DURATION (e.g. -t 30m)\n');
  const short = submit('-t', '30s', 'true');
  const long = submit('-t', '2m', 'true');
  waitClean(short);
  waitClean(long);
  assert.is(field(long, 'result'), 'COMPLETED');
  assert.match(inst.flux(['job', 'eventlog', long]).stdout, /\n\S+ long-job duration=120(\.0)?\n/);
  assert.not.match(inst.flux(['job', 'eventlog', short]).stdout, /long-job/);
  assert.equal(JSON.parse(ok(jobtap('query', 'require-duration'), 'query')), {
    refused: 1,
    long: 60,
    name: 'require-duration',
    path: EXAMPLE,
  });
  // a relative path is the caller's, not the broker's
  fails(inst.flux(['jobtap', 'load', path.relative(tmp.dir, EXAMPLE)], { cwd: tmp.dir }), 'flux-jobtap: ERROR: require-duration already loaded');
  const rel = inst.flux(['jobtap', 'load', './nosuch.js'], { cwd: tmp.dir });
  assert.is(rel.stderr, `flux-jobtap: ERROR: ${path.join(tmp.dir, 'nosuch.js')} not found\n`);
  fails(jobtap('load', '-r', 'require-duration', EXAMPLE, 'long=-1'), 'flux-jobtap: ERROR: require-duration: long must be a number of seconds, got -1');
  assert.is(ok(jobtap('list'), 'list'), '');
  assert.is(ok(inst.flux(['submit', '--wait', 'true']), 'submit after remove').length > 0, true);
});

test('limit-duration and limit-job-size refuse what exceeds their limits', () => {
  ok(jobtap('load', 'limit-duration', 'duration=1m'), 'load limit-duration');
  ok(jobtap('load', 'limit-job-size', 'max-ncores=1'), 'load limit-job-size');
  fails(inst.flux(['submit', '-t', '5m', 'true']), '[Errno 22] requested duration (5m) exceeds policy limit of 1m');
  fails(inst.flux(['submit', 'true']), '[Errno 22] unlimited duration exceeds policy limit of 1m');
  fails(inst.flux(['submit', '-t', '30s', '-n2', 'true']), '[Errno 22] requested ncores (2) exceeds policy limit of 1');
  const id = submit('-t', '30s', 'true');
  waitClean(id);
  assert.is(field(id, 'result'), 'COMPLETED');
  ok(jobtap('remove', 'limit-*'), 'remove glob');
  assert.is(ok(jobtap('list'), 'list'), '');
  const free = submit('-n2', 'true');
  waitClean(free);
});

test('--dependency=singleton: one active job per user and name, released oldest first', () => {
  const first = submit('--job-name=single', 'sleep', '30');
  const a = submit('--dependency=singleton', '--job-name=single', 'true');
  const b = submit('--dependency=singleton', '--job-name=single', 'true');
  const other = submit('--dependency=singleton', '--job-name=other', 'true');
  assert.is(field(a, 'state'), 'DEPEND');
  assert.is(field(a, 'dependencies'), 'singleton');
  assert.is(field(b, 'state'), 'DEPEND');
  waitClean(other);
  assert.is(field(other, 'result'), 'COMPLETED');
  ok(inst.flux(['cancel', first]), 'cancel');
  waitClean(b);
  const t = (id: string, name: string) => Number(new RegExp(`^(\\d+\\.\\d+) ${name}\\b`, 'm').exec(inst.flux(['job', 'eventlog', id]).stdout)?.[1]);
  // a ran (and ended) before b was released
  assert.ok(t(a, 'clean') <= t(b, 'dependency-remove'), `a clean ${t(a, 'clean')} b released ${t(b, 'dependency-remove')}`);
  assert.match(inst.flux(['job', 'eventlog', b]).stdout, 'dependency-remove description="singleton"');
  fails(inst.flux(['submit', '--dependency=singleton:x', 'true']), '[Errno 22] dependency: singleton takes no value (got "x")');
});

test('job.new, job.state.* and job.event.* follow a job from submit to clean', () => {
  const tracer = path.join(tmp.dir, 'tracer.js');
  fs.writeFileSync(
    tracer,
    [
      "module.exports = { jobtapPlugin: 1, name: 'tracer', create: () => {",
      '  const seen = [];',
      "  return { 'job.new': () => void seen.push('new'), 'job.state.*': (j, a, t) => void seen.push(t.slice(10)),",
      "    'job.event.*': (j, a, t) => void seen.push(`ev:${t.slice(10)}`), 'plugin.query': () => ({ seen }) };",
      '} };',
      '',
    ].join('\n'),
  );
  ok(jobtap('load', tracer), 'load tracer');
  const id = submit('true');
  waitClean(id);
  const seen = (JSON.parse(ok(jobtap('query', 'tracer'), 'query')) as { seen: string[] }).seen;
  ok(jobtap('remove', 'tracer'), 'remove tracer');
  assert.equal(seen.slice(0, 8), ['new', 'ev:submit', 'ev:validate', 'ev:depend', 'ev:priority', 'depend', 'priority', 'sched']);
  for (const s of ['run', 'ev:alloc', 'ev:start', 'ev:finish', 'cleanup', 'ev:release', 'ev:free', 'ev:clean', 'inactive']) assert.ok(seen.includes(s), `${s} in ${seen.join(' ')}`);
  assert.ok(seen.indexOf('run') < seen.indexOf('ev:start') && seen.indexOf('ev:clean') < seen.indexOf('inactive'), seen.join(' '));
});

test('a plugin that throws is logged and the job goes on; a removed builtin refuses its scheme until loaded again', () => {
  const thrower = path.join(tmp.dir, 'thrower.js');
  fs.writeFileSync(
    thrower,
    "module.exports = { jobtapPlugin: 1, name: 'thrower', create: () => ({ 'job.state.*': () => { throw new Error('boom'); } }) };\n",
  );
  ok(jobtap('load', thrower), 'load thrower');
  const id = submit('true');
  waitClean(id);
  assert.is(field(id, 'result'), 'COMPLETED');
  assert.match(inst.flux(['dmesg']).stdout, /jobtap: thrower: job\.state\.\w+: boom/);
  ok(jobtap('remove', 'thrower'), 'remove thrower');
  ok(jobtap('remove', '.dependency-after'), 'remove builtin');
  fails(inst.flux(['submit', `--dependency=afterok:${id}`, 'true']), '[Errno 22] dependency scheme "afterok" not supported');
  ok(jobtap('load', '.dependency-after'), 'load builtin again');
  const dep = submit(`--dependency=afterok:${id}`, 'true');
  waitClean(dep);
  assert.is(field(dep, 'result'), 'COMPLETED');
  assert.is(ok(jobtap('list', '-a'), 'list -a'), '.priority-default\n.dependency-singleton\n.begin-time\n.history\n.post-event\n.dependency-after\n');
});

test.run();
