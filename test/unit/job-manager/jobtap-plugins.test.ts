/** The tree's jobtap plugins without a broker: multi-factor's fair share between users, limit-job-size's sizes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import multiFactor from '../../../plugins/jobtap/multi-factor';
import limitJobSize from '../../../plugins/jobtap/limit-job-size';
import { jobSize } from '../../../modules/job-manager/plugin-api';
import type { JobtapCallback, JobtapContext, JobView } from '../../../modules/job-manager/plugin-api';

function fakeCtx(now: () => number, config: Record<string, unknown> = {}): JobtapContext & { reprios: number } {
  const c = {
    name: 'test',
    config,
    reprios: 0,
    log: () => undefined,
    job: () => undefined,
    activeJobs: () => [],
    dependencyAdd: () => undefined,
    dependencyRemove: () => undefined,
    postEvent: () => undefined,
    raise: () => undefined,
    reprioritizeAll: () => void c.reprios++,
    now,
    prologStart: () => undefined,
    prologFinish: () => undefined,
    epilogStart: () => undefined,
    epilogFinish: () => undefined,
    getattr: () => undefined,
    setUrgency: () => undefined,
    allocBypass: () => undefined,
    serve: () => undefined,
  };
  return c;
}

const job = (o: Partial<JobView>): JobView => ({ id: 1, userid: 1, urgency: 16, priority: -1, state: 'SCHED', flags: 0, t_submit: 0, name: 'x', queue: undefined, ntasks: 1, ncores: 1, nnodes: undefined, duration: 0, jobspec: undefined, dependencies: [], t_run: undefined, t_inactive: undefined, started: false, ranks: undefined, R: undefined, execActive: false, endedByException: false, result: undefined, ...o });

test('multi-factor: the user who used more gets the lower priority, and usage decays with the halflife', () => {
  let t = 1000;
  const ctx = fakeCtx(() => t);
  const h = multiFactor.create(ctx, { 'urgency-weight': 1, 'fairshare-weight': 1000, 'usage-scale': 100, halflife: '1h', 'reprioritize-interval': '0' });
  const prio = h['job.priority.get'] as JobtapCallback;
  const inactive = h['job.state.inactive'] as JobtapCallback;
  const alice = job({ userid: 1 });
  const bob = job({ userid: 2 });
  assert.is(prio(alice, {}, ''), 1016);
  assert.is(prio(bob, {}, ''), 1016);
  // alice ran 4 cores for 100 s: 400 core-seconds
  inactive(job({ userid: 1, ncores: 4, t_run: 900, t_inactive: 1000, state: 'INACTIVE' }), {}, '');
  assert.is(ctx.reprios, 1);
  assert.is(prio(alice, {}, ''), 16 + 200); // 1000 / (1 + 400/100)
  assert.is(prio(bob, {}, ''), 1016);
  t += 3600; // one halflife: 200 core-seconds left
  assert.is(prio(alice, {}, ''), 16 + 333);
  assert.is(prio(job({ userid: 1, urgency: 0 }), {}, ''), 0);
  assert.is(prio(job({ userid: 1, urgency: 31 }), {}, ''), 4294967295);
  assert.throws(() => multiFactor.create(ctx, { halflife: 'soon' }), /halflife must be a positive duration/);
});

test('limit-job-size: sizes from the jobspec, conf limits, else [policy.limits.job-size]', () => {
  const js = { resources: [{ type: 'node', count: 2, with: [{ type: 'slot', count: 1, label: 'task', with: [{ type: 'core', count: 3 }, { type: 'gpu', count: 1 }] }] }] };
  assert.equal(jobSize(js), { nnodes: 2, ncores: 6, ngpus: 2 });
  const fromConf = limitJobSize.create(fakeCtx(() => 0), { 'max-ncores': 4 })['job.validate'] as JobtapCallback;
  assert.is(fromConf(job({ jobspec: js }), {}, ''), 'requested ncores (6) exceeds policy limit of 4');
  const fromConfig = limitJobSize.create(fakeCtx(() => 0, { policy: { limits: { 'job-size': { min: { nnodes: 3 } } } } }), {})['job.validate'] as JobtapCallback;
  assert.is(fromConfig(job({ jobspec: js }), {}, ''), 'requested nnodes (2) is below policy minimum of 3');
});

test.run();
