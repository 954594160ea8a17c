/** The jobtap host without a broker: dispatch by topic glob, admission (validate, dependencies, held ops), priorities, remove rules. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FluxError } from '../../../kernel/api';
import { Job, State } from '../../../modules/job-manager/job';
import { JobtapHost, type JobtapBackend } from '../../../modules/job-manager/jobtap/host';
import { BUILTINS } from '../../../modules/job-manager/jobtap/builtins';
import { defineJobtapPlugin, type JobtapHandlers } from '../../../modules/job-manager/plugin-api';

function jobspec(extra: Record<string, unknown> = {}) {
  return {
    resources: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 1 }] }],
    tasks: [{ command: ['true'], slot: 'task', count: { per_slot: 1 } }],
    attributes: { system: { ...extra } },
    version: 1,
  };
}

function setup() {
  const jobs = new Map<number, Job>();
  const calls: string[] = [];
  const logs: string[] = [];
  const be: JobtapBackend = {
    log: (level: string, text: string) => void (level !== 'debug' && logs.push(text)),
    config: {},
    job: (id) => jobs.get(id),
    activeJobs: () => [...jobs.values()].filter((j) => j.state !== State.INACTIVE),
    dependencyAdd: (j, d) => {
      calls.push(`add ${j.id} ${d}`);
      j.dependencies.push(d);
    },
    dependencyRemove: (j, d) => {
      calls.push(`remove ${j.id} ${d}`);
      j.dependencies = j.dependencies.filter((x) => x !== d);
    },
    postEvent: (j, name) => void calls.push(`event ${j.id} ${name}`),
    raise: (j, type, sev, note) => void calls.push(`raise ${j.id} ${type} ${sev} ${note}`),
    reprioritize: (js) => {
      for (const j of js) calls.push(`reprioritize ${j.id}`);
    },
    perilogStart: (j, kind, d) => void calls.push(`${kind}-start ${j.id} ${d}`),
    perilogFinish: (j, kind, d, st) => void calls.push(`${kind}-finish ${j.id} ${d} ${st}`),
    getattr: () => undefined,
    setUrgency: (j, u) => void calls.push(`urgency ${j.id} ${u}`),
    allocBypass: (j) => void calls.push(`bypass ${j.id}`),
  } as JobtapBackend;
  const host = new JobtapHost(be);
  for (const p of BUILTINS) host.loadBuiltin(p);
  const mk = (id: number, extra: Record<string, unknown> = {}, urgency = 16) => new Job(id, 1000, urgency, 1, 0, jobspec(extra));
  const store = (j: Job) => {
    jobs.set(j.id, j);
    j.state = State.DEPEND;
    host.commit(j);
  };
  return { host, jobs, calls, logs, mk, store };
}

const plugin = (name: string, handlers: JobtapHandlers, options?: string[]) =>
  defineJobtapPlugin({ name, ...(options ? { options } : {}), create: () => handlers });

async function loadInline(host: JobtapHost, name: string, handlers: JobtapHandlers): Promise<void> {
  host.loadObject(plugin(name, handlers));
}

test('callbacks are found by glob; a throw is logged and the others still run', async () => {
  const { host, mk, logs } = setup();
  const seen: string[] = [];
  await loadInline(host, 'a', { 'job.state.*': (_j, args, topic) => void seen.push(`a ${topic} ${String(args['prev_state'])}`) });
  await loadInline(host, 'b', { 'job.state.run': () => { throw new Error('boom'); } });
  await loadInline(host, 'c', { 'job.state.run': () => void seen.push('c') });
  const j = mk(1);
  j.state = State.RUN;
  host.state(j, State.SCHED);
  assert.equal(seen, ['a job.state.run SCHED', 'c']);
  assert.equal(logs, ['jobtap: b: job.state.run: boom']);
});

test('validate refuses with the message; an unknown scheme is refused; abandon sends job.destroy', async () => {
  const { host, mk } = setup();
  const destroyed: number[] = [];
  await loadInline(host, 'v', {
    'job.validate': (j) => (j.name === 'bad' ? 'no bad jobs here' : undefined),
    'job.destroy': (j) => void destroyed.push(j.id),
  });
  const bad = new Job(2, 1000, 16, 1, 0, { ...jobspec(), attributes: { system: { job: { name: 'bad' } } } });
  assert.throws(() => host.admit([mk(1), bad]), (e: FluxError) => e.message === 'no bad jobs here' && e.errno === 22);
  assert.equal(destroyed, [1, 2]);
  assert.throws(() => host.admit([mk(3, { dependencies: [{ scheme: 'foo', value: '1' }] })]), /dependency scheme "foo" not supported/);
  assert.throws(() => host.admit([mk(4, { dependencies: {} })]), /must be an array/);
  assert.equal(host.admit([mk(5)]).size, 0);
});

test('what plugins do to a job being admitted waits for commit', async () => {
  const { host, mk, store, calls } = setup();
  await loadInline(host, 'hold', {
    'job.dependency.hold': (j, args) => {
      ctxRef.add(j.id, `hold=${String(args['value'])}`);
    },
  });
  // a tiny scheme plugin needs its ctx: take it from a plugin whose create keeps it
  const ctxRef = { add: (_id: number, _d: string) => {} };
  host.loadObject(
    defineJobtapPlugin({
      name: 'ctxgrab',
      create: (ctx) => {
        ctxRef.add = (id, d) => ctx.dependencyAdd(id, d);
        return {};
      },
    }),
  );
  const j = mk(7, { dependencies: [{ scheme: 'hold', value: 'x' }] });
  const held = host.admit([j]);
  assert.ok(held.has(7));
  assert.equal(calls, []);
  store(j);
  assert.equal(calls, ['add 7 hold=x']);
});

test('priority: the last plugin that answers wins, a bad answer is logged, none gives the urgency', async () => {
  const { host, mk, logs } = setup();
  const j = mk(1, {}, 20);
  assert.is(host.priority(j), 20);
  await loadInline(host, 'p1', { 'job.priority.get': () => 500 });
  await loadInline(host, 'p2', { 'job.priority.get': () => -3 });
  assert.is(host.priority(j), 500);
  assert.match(logs.join('\n'), /p2: job.priority.get returned -3/);
  host.remove('.priority-default');
  host.remove('p1');
  host.remove('p2');
  assert.is(host.priority(mk(2, {}, 0)), 0);
  assert.is(host.priority(mk(3, {}, 31)), 4294967295);
});

test('remove: all spares builtins, a glob needs a leading dot for them, a name removes anything, nothing matched is ENOENT', async () => {
  const { host } = setup();
  await loadInline(host, 'x1', {});
  host.remove('all');
  assert.equal(host.list(), ['.priority-default', '.dependency-after', '.dependency-singleton', '.begin-time', '.history', '.post-event']);
  assert.throws(() => host.remove('*depend*'), /not found/);
  assert.is(host.remove('.dep*'), 2);
  assert.is(host.remove('all'), 0);
  assert.throws(() => host.remove('nosuch'), (e: FluxError) => e.errno === 2 && e.message === 'nosuch not found');
});

test('load refuses unknown conf keys and a second copy; postEvent refuses the manager\'s own events', async () => {
  const { host, jobs, mk } = setup();
  let err = '';
  try {
    await host.load('limit-duration', { nope: 1 });
  } catch (e) {
    err = (e as Error).message;
  }
  // the tree's plugins are found under dist/plugins/jobtap
  assert.is(err, "limit-duration: unknown config key 'nope' (it takes: duration)");
  await host.load('limit-duration', { duration: '1h' });
  await host.load('limit-duration').then(
    () => assert.unreachable('loaded twice'),
    (e: Error) => assert.is(e.message, 'limit-duration already loaded'),
  );
  let post: ((id: number, n: string) => void) | undefined;
  host.loadObject(defineJobtapPlugin({ name: 'poster', create: (ctx) => ((post = (id, n) => ctx.postEvent(id, n)), {}) }));
  const j = mk(9);
  jobs.set(9, j);
  j.state = State.RUN;
  assert.throws(() => post!(9, 'start'), /event 'start' is the job manager's own/);
  assert.not.throws(() => post!(9, 'site-note'));
});

test("a builtin's methods (ctx.serve) are served while it is loaded, ENOSYS once removed, back when loaded again", async () => {
  const { host } = setup();
  const cred = { userid: 1, owner: true };
  assert.equal(host.service('history', 'get')({ slice: '[:]' }, cred), { jobs: [] });
  host.remove('.history');
  assert.throws(() => host.service('history', 'get'), (e: FluxError) => e.errno === 38 && e.message === 'Function not implemented');
  assert.throws(() => host.service('nosuch', 'get'), (e: FluxError) => e.errno === 38);
  await host.load('.history');
  assert.equal(host.service('history', 'get')({ slice: '[:1]' }, cred), { jobs: [] });
});

test('async callbacks: a failure is logged, never unhandled; an async validator refuses the job', async () => {
  const { host, mk, logs } = setup();
  host.loadObject(plugin('slow', { 'job.state.*': async () => { throw new Error('late boom'); } }));
  const j = mk(1);
  j.state = State.RUN;
  host.state(j, State.SCHED);
  await new Promise((r) => setImmediate(r));
  assert.equal(logs, ['jobtap: slow: job.state.run: late boom']);
  host.loadObject(plugin('asyncv', { 'job.validate': async () => 'no' }));
  assert.throws(() => host.admit([mk(2)]), /job.validate of plugin asyncv answered asynchronously: refused/);
  assert.throws(
    () => host.loadObject(defineJobtapPlugin({ name: 'p', create: (() => Promise.resolve({})) as unknown as () => JobtapHandlers })),
    /create\(\) must return a table of callbacks \(not a promise\)/,
  );
});

test.run();
