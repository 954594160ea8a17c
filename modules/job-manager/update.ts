/**
 * job-manager.update (flux-update(1)): change an active job's jobspec.
 *
 * Payload `{id, updates: {KEY: VALUE, ...}}` with full jobspec keys
 * (`attributes.system.duration`, the command line's aliases are resolved by
 * flux update). All updates are checked first, then applied together or not
 * at all. As in Flux 0.88 (its .update-duration and .update-queue plugins),
 * only two keys may change; any other is `update of KEY not supported`
 * (urgency goes through `flux job urgency`):
 *
 * - a pending job: `attributes.system.duration` (seconds, 0 = unlimited,
 *   within the queue's or [policy] limit) and `attributes.system.queue` (a
 *   configured, enabled queue; the job is checked against that queue's
 *   limits and takes its `requires`);
 * - a running job: `attributes.system.duration` only, by the instance owner:
 *   the allocation's expiration becomes starttime + duration (0: none), and
 *   the job manager's timer, the scheduler (sched.expiration) and job-exec
 *   (job-exec.expiration) learn it.
 *
 * Jobspec changes are posted as `jobspec-update {KEY: VALUE}` (and a running
 * job's new expiration as `resource-update {expiration}`) in the job's
 * eventlog; restart.ts replays them, `flux job info ID jobspec` applies them.
 * A job waiting for resources (SCHED) is then prioritized again, as Flux
 * does: a `priority` event follows, and the scheduler gets the new request.
 * Another user's job may be updated only by the instance owner; the owner's
 * update of a guest job is not held to the limits (Flux does the same).
 */
import { Errno, FluxError, Role, einval, fsd, type Handle, type Message } from '../../kernel/api';
import { now } from './eventlog';
import { PENDING, State, summarizeJobspec, type Job } from './job';
import type { Manager } from './manager';
import { validateJobspec } from './queues';

type Obj = Record<string, unknown>;

const DURATION = 'attributes.system.duration';
const QUEUE = 'attributes.system.queue';

/** Set a dotted key in a jobspec (copy on the way down: the caller passes a clone). */
export function setKey(js: Obj, key: string, value: unknown): void {
  const parts = key.split('.');
  let t = js;
  for (const k of parts.slice(0, -1)) {
    const cur = t[k];
    t = (typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur : (t[k] = {})) as Obj;
  }
  t[parts[parts.length - 1]!] = value;
}

/** A jobspec with the updates of one `jobspec-update` context applied (a new object). */
export function applyJobspecUpdate(jobspec: Obj, ctx: Obj): Obj {
  const js = structuredClone(jobspec);
  for (const [k, v] of Object.entries(ctx)) setKey(js, k, v);
  return js;
}

/** Refresh what the job manager lists (name, duration, queue) from the job's jobspec. */
export function refreshSummary(job: Job): void {
  if (!job.jobspec) return;
  const s = summarizeJobspec(job.jobspec);
  job.name = s.name;
  job.duration = s.duration;
  job.queue = s.queue;
}

/** The queue's requires as validateJobspec added it, taken out again (the job changes queue). */
function withoutQueueRequires(m: Manager, js: Obj): void {
  const sys = ((js['attributes'] as Obj | undefined)?.['system'] ?? {}) as Obj;
  const q = m.policy.queues.find((x) => x.name === sys['queue']);
  if (!q?.requires || q.requires.length === 0) return;
  const need = JSON.stringify({ properties: q.requires });
  const c = sys['constraints'] as Obj | undefined;
  if (c === undefined) return;
  if (JSON.stringify(c) === need) delete sys['constraints'];
  else if (Array.isArray(c['and']) && c['and'].length === 2 && JSON.stringify(c['and'][1]) === need) sys['constraints'] = c['and'][0];
}

interface Plan {
  /** jobspec keys → values for the jobspec-update event */
  spec: Obj;
  /** the jobspec after the update */
  jobspec: Obj;
  /** running job: the new expiration (0: none) */
  expiration?: number;
}

function checkPending(m: Manager, job: Job, updates: Obj, bypassLimits: boolean): Plan {
  const spec: Obj = {};
  let js = structuredClone(job.jobspec ?? {});
  for (const [key, v] of Object.entries(updates)) {
    switch (key) {
      case DURATION:
        spec[key] = durationOf(v);
        break;
      case QUEUE:
        if (typeof v === 'string' && v === job.queue && m.queueState.has(v)) throw einval(`job queue is already set to ${v}`);
        if (typeof v !== 'string' || !m.queueState.has(v)) throw einval(`'${String(v)}' is not a valid queue`);
        if (m.queueState.get(v)?.enable === false) throw einval(`queue ${v} is currently disabled`);
        spec[key] = v;
        break;
      default:
        throw einval(`update of ${key} not supported`);
    }
  }
  const sysOf = (x: Obj) => ((x['attributes'] as Obj | undefined)?.['system'] ?? {}) as Obj;
  const before = JSON.stringify(sysOf(js)['constraints'] ?? {});
  if (QUEUE in spec) withoutQueueRequires(m, js);
  for (const [k, v] of Object.entries(spec)) setKey(js, k, v);
  if (DURATION in spec || QUEUE in spec) {
    if (bypassLimits) {
      if (QUEUE in spec) js = validateJobspec({ ...m.policy, limits: { min: {}, max: {} }, queues: m.policy.queues.map((q) => ({ ...q, limits: { min: {}, max: {} } })) }, js);
    } else {
      js = validateJobspec(m.policy, js);
    }
    // the event records what was applied: a default duration, the new queue's requires
    if (DURATION in spec) spec[DURATION] = sysOf(js)['duration'] ?? 0;
    const after = sysOf(js)['constraints'] ?? {};
    if (JSON.stringify(after) !== before) spec['attributes.system.constraints'] = after;
  }
  return { spec, jobspec: js };
}

function checkRunning(m: Manager, job: Job, updates: Obj, msg: Message, bypassLimits: boolean): Plan {
  if (job.state !== State.RUN) throw einval('job is no longer running');
  for (const key of Object.keys(updates)) {
    if (key === QUEUE) throw einval('update of queue for running job not supported');
    if (key !== DURATION) throw einval(`update of ${key} not supported`);
  }
  if (!(msg.rolemask & Role.Owner)) throw new FluxError(Errno.EPERM, 'duration update of running job requires instance owner privileges');
  const duration = durationOf(updates[DURATION]);
  const js = structuredClone(job.jobspec ?? {});
  setKey(js, DURATION, duration);
  if (!bypassLimits) validateJobspec(m.policy, js);
  const start = ((job.R?.['execution'] ?? {}) as Obj)['starttime'];
  const t0 = typeof start === 'number' ? start : (job.t_run ?? now());
  const expiration = duration === 0 ? 0 : t0 + duration;
  if (expiration !== 0 && expiration <= now()) throw einval('requested duration places job expiration in the past');
  return { spec: { [DURATION]: duration }, jobspec: js, expiration };
}

function durationOf(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > fsd.MAX_DURATION) throw einval('invalid Flux standard duration');
  return v;
}

/** The update service: check everything, then apply (see the file comment). */
export async function updateJob(m: Manager, h: Handle, id: number, updates: Obj, msg: Message): Promise<Obj> {
  if (!Number.isSafeInteger(id)) throw einval('malformed job id');
  if (Object.keys(updates).length === 0) throw einval('updates must be an object with at least one key');
  const job = m.jobs.get(id);
  if (!job) throw new FluxError(Errno.ENOENT, 'unknown job id');
  const owner = (msg.rolemask & Role.Owner) !== 0;
  if (msg.userid !== job.userid && !owner) throw new FluxError(Errno.EPERM, 'guests may only update their own jobs');
  if (job.state === State.INACTIVE) throw einval('job is inactive');
  const bypassLimits = owner && msg.userid !== job.userid;
  const plan = job.state & PENDING ? checkPending(m, job, updates, bypassLimits) : checkRunning(m, job, updates, msg, bypassLimits);

  if (job.state & PENDING && 'attributes.system.constraints' in plan.spec) {
    // a new queue's requires: the scheduler must still be able to run the job (as at submit)
    try {
      await h.rpc('sched.feasibility', { jobspec: plan.jobspec });
    } catch (e) {
      const fe = e as FluxError;
      if (fe.errno !== Errno.ENOSYS) throw new FluxError(fe.errno || Errno.EINVAL, `${QUEUE}: ${fe.message}`);
    }
    if (!(job.state & PENDING)) throw einval('update of queue for running job not supported');
  }

  // apply: nothing below refuses
  const entries = [];
  const t = now();
  if (Object.keys(plan.spec).length > 0) {
    job.jobspec = plan.jobspec;
    refreshSummary(job);
    entries.push({ timestamp: t, name: 'jobspec-update', context: plan.spec });
  }
  if (plan.expiration !== undefined) {
    const ex = ((job.R ??= {})['execution'] ??= {}) as Obj;
    ex['expiration'] = plan.expiration;
    // R says the new limit; the job keeps the time a late start added ([exec] max-start-delay-percent)
    job.expiration = plan.expiration === 0 ? 0 : plan.expiration + job.startDelay;
    entries.push({ timestamp: t, name: 'resource-update', context: { expiration: plan.expiration } });
  }
  if (entries.length > 0) await m.events.append(job.kvsdir, entries);
  if (plan.expiration !== undefined) {
    m.armExpiration(job);
    const tell = { id: job.id, expiration: plan.expiration };
    h.rpc('sched.expiration', tell).catch((e: Error) => h.log('err', `sched.expiration ${job.id}: ${e.message}`));
    h.rpc('job-exec.expiration', { id: job.id, expiration: job.expiration }).catch((e: Error) => h.log('debug', `job-exec.expiration ${job.id}: ${e.message}`));
  } else if (job.state === State.SCHED && Object.keys(plan.spec).length > 0) {
    // as Flux: back through PRIORITY (a `priority` event), and the scheduler has the old request: ask again
    m.prioritizeAgain(job);
    m.resubmitAlloc(job);
  }
  return {};
}

/**
 * An allocation the scheduler made from a request flux update had already
 * changed (its answer crossed the cancel): R's expiration follows the job's
 * duration now, and the scheduler is told.
 */
export function reconcileExpiration(h: Handle, job: Job, R: Obj): void {
  const ex = R['execution'] as Obj | undefined;
  const start = ex?.['starttime'];
  if (!ex || typeof start !== 'number') return;
  // the scheduler answered the request as sent: its expiration stands (at most the instance's, which may be shorter)
  if (job.allocDuration === job.duration) return;
  const want = job.duration > 0 ? start + job.duration : 0;
  const got = typeof ex['expiration'] === 'number' ? ex['expiration'] : 0;
  if (Math.abs(want - got) < 1e-3) return;
  ex['expiration'] = want;
  job.expiration = want;
  h.rpc('sched.expiration', { id: job.id, expiration: want }).catch((e: Error) => h.log('err', `sched.expiration ${job.id}: ${e.message}`));
}
