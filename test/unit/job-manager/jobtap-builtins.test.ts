/** Flux's builtin and shipped jobtap plugins without a broker: .history, .post-event, alloc-bypass.so, alloc-check.so. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { history } from '../../../modules/job-manager/jobtap/builtin-history';
import { postEvent, type PostEventActions } from '../../../modules/job-manager/jobtap/builtin-post-event';
import allocBypass from '../../../plugins/jobtap/alloc-bypass';
import { Allocated, resourceKeys } from '../../../plugins/jobtap/alloc-check';
import { OWNER_UID } from '../../../lib/owner-uid';
import { pySlice } from '../../../lib/py-slice';
import type { JobtapCallback, JobtapContext, JobtapService, JobView } from '../../../modules/job-manager/plugin-api';

type Obj = Record<string, unknown>;

function fakeCtx(served: Map<string, JobtapService>, calls: string[] = []): JobtapContext {
  const nop = () => undefined;
  return {
    name: 'test',
    config: {},
    log: nop,
    job: nop,
    activeJobs: () => [],
    dependencyAdd: nop,
    dependencyRemove: nop,
    postEvent: nop,
    raise: nop,
    reprioritizeAll: nop,
    now: () => 0,
    prologStart: nop,
    prologFinish: nop,
    epilogStart: nop,
    epilogFinish: nop,
    getattr: nop,
    setUrgency: nop,
    allocBypass: (id) => void calls.push(`bypass ${id}`),
    serve: (m, fn) => void served.set(m, fn),
  };
}

const job = (o: Partial<JobView>): JobView => ({ id: 1, userid: 1, urgency: 16, priority: -1, state: 'SCHED', flags: 0, t_submit: 0, name: 'x', queue: undefined, ntasks: 1, ncores: 1, nnodes: undefined, duration: 0, jobspec: undefined, dependencies: [], t_run: undefined, t_inactive: undefined, started: false, ranks: undefined, R: undefined, execActive: false, endedByException: false, result: undefined, ...o });

test('python slices as flux job last takes them', () => {
  const l = [5, 4, 3, 2, 1];
  assert.equal(pySlice(l, '[:1]'), [5]);
  assert.equal(pySlice(l, '[:]'), l);
  assert.equal(pySlice(l, '[::-1]'), [1, 2, 3, 4, 5]);
  assert.equal(pySlice(l, '[-1]'), [1]);
  assert.equal(pySlice(l, '[1:4:2]'), [4, 2]);
  assert.equal(pySlice(l, '[9]'), []);
  for (const bad of ['1', '[a]', '[::0]', '[]', '']) assert.is(pySlice(l, bad), undefined, bad);
});

test(".history: each user's jobs newest first; inactive-add does not repeat; a purge drops one", () => {
  const served = new Map<string, JobtapService>();
  const h = history.create(fakeCtx(served), {});
  const fresh = h['job.new'] as JobtapCallback;
  const inactive = h['job.inactive-add'] as JobtapCallback;
  const purged = h['job.inactive-remove'] as JobtapCallback;
  // read back at a restart out of order, then new submissions
  inactive(job({ id: 2, t_submit: 20 }), {}, '');
  inactive(job({ id: 1, t_submit: 10 }), {}, '');
  fresh(job({ id: 3, t_submit: 30 }), {}, '');
  fresh(job({ id: 9, userid: 2, t_submit: 31 }), {}, '');
  inactive(job({ id: 3, t_submit: 30 }), {}, '');
  const get = served.get('get')!;
  assert.equal(get({ slice: '[:]' }, { userid: 1, owner: true }), { jobs: [3, 2, 1] });
  assert.equal(get({ slice: '[:1]' }, { userid: 2, owner: false }), { jobs: [9] });
  assert.equal(get({ slice: '[:]' }, { userid: 3, owner: false }), { jobs: [] });
  purged(job({ id: 2 }), {}, '');
  assert.equal(get({ slice: '[::-1]' }, { userid: 1, owner: true }), { jobs: [1, 3] });
  assert.throws(() => get({ slice: 'x' }, { userid: 1, owner: true }), /could not parse python-style slice expression/);
});

test('.post-event: exceptions are raised, perilog finishes finish, the job manager\'s own events are refused, others posted', () => {
  const calls: string[] = [];
  const act: PostEventActions = {
    check: (id) => {
      if (id !== 1) throw new Error('No such job');
    },
    raise: (id, t, s, n) => void calls.push(`raise ${id} ${t} ${s} ${n}`),
    perilogFinish: (id, k, d, st) => void calls.push(`${k}-finish ${id} ${d} ${st}`),
    post: (id, n, c) => void calls.push(`post ${id} ${n} ${JSON.stringify(c ?? null)}`),
  };
  postEvent(act, 1, 'exception', { type: 'x', severity: 0, note: 'n' });
  postEvent(act, 1, 'epilog-finish', { description: 'dws', status: 1 });
  postEvent(act, 1, 'ready', undefined);
  postEvent(act, 1, 'test', { note: 'a' });
  assert.equal(calls, ['raise 1 x 0 n', 'epilog-finish 1 dws 1', 'post 1 ready null', 'post 1 test {"note":"a"}']);
  assert.throws(() => postEvent(act, 1, 'clean', undefined), /clean is an event the job manager posts itself/);
  assert.throws(() => postEvent(act, 1, 'exception', { severity: 0 }), /needs a type/);
  assert.throws(() => postEvent(act, 2, 'test', undefined), /No such job/);
});

test('alloc-bypass.so: owner jobs with a good R bypass the scheduler; a guest, or a bad R, is refused', () => {
  const calls: string[] = [];
  const h = allocBypass.create(fakeCtx(new Map(), calls), {});
  const validate = h['job.validate'] as JobtapCallback;
  const sched = h['job.state.sched'] as JobtapCallback;
  const R = { version: 1, execution: { R_lite: [{ rank: '0', children: { core: '0' } }], starttime: 0, expiration: 0, nodelist: ['n0'] } };
  const spec = (r: unknown): Obj => ({ attributes: { system: { 'alloc-bypass': { R: r } } } });
  assert.is(validate(job({ id: 1 }), { jobspec: spec(R), userid: OWNER_UID }, ''), undefined);
  assert.is(validate(job({ id: 2 }), { jobspec: spec(R), userid: OWNER_UID + 1 }, ''), 'Guest user cannot use alloc bypass');
  assert.is(validate(job({ id: 3 }), { jobspec: spec({ version: 2 }), userid: OWNER_UID }, ''), 'alloc-bypass: invalid R: invalid version=2');
  assert.is(validate(job({ id: 4 }), { jobspec: {}, userid: OWNER_UID + 1 }, ''), undefined);
  for (const id of [1, 2, 3, 4]) sched(job({ id }), {}, '');
  assert.equal(calls, ['bypass 1']);
});

test('alloc-check.so: a resource held by one job cannot be added for another; freed, it can', () => {
  const R = (rank: string, core: string, gpu?: string) => ({ version: 1, execution: { R_lite: [{ rank, children: { core, ...(gpu ? { gpu } : {}) } }], starttime: 0, expiration: 0, nodelist: [] } });
  assert.equal(resourceKeys(R('0-1', '0', '1')), ['0/core0', '0/gpu1', '1/core0', '1/gpu1']);
  const a = new Allocated();
  assert.ok(a.add(1, resourceKeys(R('0', '0-1'))));
  assert.ok(a.add(2, resourceKeys(R('0', '2-3'))));
  assert.not.ok(a.add(3, resourceKeys(R('0', '1-2'))));
  // the refused job's free takes nothing away
  a.remove(3);
  assert.is(a.size, 4);
  a.remove(1);
  assert.ok(a.add(3, resourceKeys(R('0', '0-1'))));
});

test.run();
