/**
 * Restart: the jobs a persistent kvs holds (statedir), read back at load.
 * Each job's state is replayed from its eventlog (RFC 21); what the manager
 * then does with each (pending again, running ended, inactive listed) is in
 * Manager.restore().
 */
import type { Handle } from '../../kernel/api';
import { Job, State } from './job';
import type { Entry } from './eventlog';
import { applyJobspecUpdate, refreshSummary } from './update';
import { parseJ } from '../../lib/signed-jobspec';
import { withMemo, withSchedAnnotations } from './memo';

type Obj = Record<string, unknown>;

/** what the kvs holds of one job */
export interface StoredJob {
  id: number;
  eventlog: string;
  jobspec: Obj;
  R?: Obj;
  /** a waitable job already reaped by `flux job wait` (its WAITED_KEY is set) */
  waited?: boolean;
}

/**
 * The key, in a job's kvs directory, that marks a waitable job as reaped
 * (`flux job wait` answered for it): without it an inactive waitable job is
 * waitable again after a restart, as in Flux. A key of its own, not an
 * event, since the eventlog of an inactive job is closed (and its directory
 * may be packed: docs/adr/0020-packed-inactive-jobs.md).
 */
export const WAITED_KEY = 'waited';

/** the kvs key of the job manager's checkpoint ({version, max_jobid}): ids never go back */
export const CHECKPOINT_KEY = 'checkpoint.job-manager';

/** RFC 18 lines (a damaged line ends the log: what follows it cannot be trusted) */
function parseLog(text: string): Entry[] {
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const e = JSON.parse(line) as Entry;
      if (typeof e?.name !== 'string' || typeof e.timestamp !== 'number') break;
      out.push(e);
    } catch {
      break;
    }
  }
  return out;
}

/** reads in flight at once while loading */
const READ_WINDOW = 64;

/** job id from `job.AAAA.BBBB.CCCC.DDDD` */
export function idOfKvsDir(dir: string): number | undefined {
  const m = /^job\.([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/.exec(dir);
  if (!m) return undefined;
  const id = Number(BigInt('0x' + m.slice(1).join('')));
  return Number.isSafeInteger(id) ? id : undefined;
}

/** Read every job's eventlog, jobspec (J, the full one, when there) and R from the kvs. */
export async function loadStoredJobs(h: Handle): Promise<{ jobs: StoredJob[]; maxId: number; skipped: string[]; queue?: Obj; queues?: Obj }> {
  const { keys } = await h.rpc<{ keys: string[] }>('kvs.dir', { key: 'job' });
  const dirs = new Map<string, Set<string>>();
  for (const k of keys) {
    const parts = k.split('.');
    if (parts.length < 6) continue;
    const dir = parts.slice(0, 5).join('.');
    let s = dirs.get(dir);
    if (!s) dirs.set(dir, (s = new Set()));
    s.add(parts.slice(5).join('.'));
  }
  let maxId = 0;
  let queue: Obj | undefined;
  let queues: Obj | undefined;
  try {
    const ck = (await h.rpc<{ value: Obj }>('kvs.get', { key: CHECKPOINT_KEY })).value;
    if (typeof ck?.['max_jobid'] === 'number') maxId = ck['max_jobid'];
    if (typeof ck?.['queue'] === 'object' && ck['queue'] !== null) queue = ck['queue'] as Obj;
    if (typeof ck?.['queues'] === 'object' && ck['queues'] !== null) queues = ck['queues'] as Obj;
  } catch {
    /* no checkpoint yet */
  }
  const get = async (key: string): Promise<unknown> => (await h.rpc<{ value: unknown }>('kvs.get', { key })).value;
  const jobs: StoredJob[] = [];
  const skipped: string[] = [];
  const list = [...dirs];
  for (let i = 0; i < list.length; i += READ_WINDOW) {
    await Promise.all(
      list.slice(i, i + READ_WINDOW).map(async ([dir, names]) => {
        const id = idOfKvsDir(dir);
        if (id === undefined || !names.has('eventlog') || !(names.has('jobspec') || names.has('J'))) {
          skipped.push(dir);
          return;
        }
        try {
          const [eventlog, stored, R] = await Promise.all([
            get(`${dir}.eventlog`),
            get(`${dir}.${names.has('J') ? 'J' : 'jobspec'}`),
            names.has('R') ? get(`${dir}.R`) : undefined,
          ]);
          // a signed J: the jobspec as stored (after policy), with the environment J signed
          const jobspec = typeof stored === 'string' ? withEnvironment(await get(`${dir}.jobspec`), parseJ(stored).jobspec) : stored;
          if (typeof eventlog !== 'string' || typeof jobspec !== 'object' || jobspec === null) throw new Error('malformed');
          jobs.push({ id, eventlog, jobspec: jobspec as Obj, R: (R ?? undefined) as Obj | undefined, waited: names.has(WAITED_KEY) });
          if (id > maxId) maxId = id;
        } catch {
          skipped.push(dir);
        }
      }),
    );
  }
  jobs.sort((a, b) => a.id - b.id);
  return { jobs, maxId, skipped, queue, queues };
}

/** a named queue's state (flux queue enable/disable, start/stop) */
export interface NamedQueueState {
  enable: boolean;
  reason?: string;
  start: boolean;
  /** why it was stopped (flux queue stop -m), while stopped */
  stopReason?: string;
}

/** The named queues' state as the checkpoint keeps it: {NAME: {enable, start, reason?}}. */
export function queuesCheckpoint(states: ReadonlyMap<string, NamedQueueState>): Obj {
  const out: Obj = {};
  for (const [name, st] of states) {
    out[name] = { enable: st.enable, start: st.start, ...(st.reason !== undefined ? { reason: st.reason } : {}), ...(st.stopReason !== undefined ? { stop_reason: st.stopReason } : {}) };
  }
  return out;
}

/**
 * The named queues as an administrator left them (the checkpoint's `queues`),
 * for the queues still configured; the names of those no longer configured.
 */
export function restoreQueues(saved: Obj | undefined, states: Map<string, NamedQueueState>): string[] {
  const gone: string[] = [];
  if (!saved) return gone;
  for (const [name, v] of Object.entries(saved)) {
    const st = states.get(name);
    if (!st) {
      gone.push(name);
      continue;
    }
    const o = (typeof v === 'object' && v !== null ? v : {}) as Obj;
    st.enable = o['enable'] !== false;
    st.start = o['start'] === true;
    st.reason = st.enable ? undefined : typeof o['reason'] === 'string' ? o['reason'] : 'disabled by administrator';
    st.stopReason = !st.start && typeof o['stop_reason'] === 'string' ? o['stop_reason'] : undefined;
  }
  return gone;
}

/**
 * Rebuild a job from its eventlog: state, times, urgency and priority, the
 * outstanding dependencies, exception and wait status. Undefined when the
 * eventlog has no submit event.
 */
export function replay(s: StoredJob): Job | undefined {
  const events = parseLog(s.eventlog);
  const submit = events[0];
  if (!submit || submit.name !== 'submit') return undefined;
  const c = (submit.context ?? {}) as Obj;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const job = new Job(s.id, num(c['userid'], 0), num(c['urgency'], 16), submit.timestamp, num(c['flags'], 0), s.jobspec);
  job.state = State.NEW;
  if (s.waited === true) job.waitable = false;
  let expiration: number | undefined;
  for (const e of events.slice(1)) {
    const ctx = (e.context ?? {}) as Obj;
    switch (e.name) {
      case 'validate':
        job.state = State.DEPEND;
        job.t_depend = e.timestamp;
        break;
      case 'dependency-add':
        if (typeof ctx['description'] === 'string' && !job.dependencies.includes(ctx['description'])) job.dependencies.push(ctx['description']);
        break;
      case 'dependency-remove': {
        const i = job.dependencies.indexOf(String(ctx['description']));
        if (i >= 0) job.dependencies.splice(i, 1);
        break;
      }
      case 'depend':
        if (job.state === State.DEPEND) job.state = State.PRIORITY;
        break;
      case 'priority':
        job.priority = num(ctx['priority'], job.priority);
        if (job.state === State.PRIORITY) job.state = State.SCHED;
        break;
      case 'urgency':
        job.urgency = num(ctx['urgency'], job.urgency);
        break;
      case 'jobspec-update':
        // flux update: the jobspec as it was last updated
        if (job.jobspec) job.jobspec = applyJobspecUpdate(job.jobspec, ctx);
        refreshSummary(job);
        break;
      case 'resource-update':
        if (typeof ctx['expiration'] === 'number') expiration = ctx['expiration'];
        break;
      case 'alloc':
        job.state = State.RUN;
        job.t_run = e.timestamp;
        job.holdsR = true;
        if (ctx['annotations'] && typeof ctx['annotations'] === 'object') job.annotations = withSchedAnnotations(job.annotations, ctx['annotations'] as Obj);
        break;
      case 'memo':
        job.annotations = withMemo(job.annotations, ctx);
        break;
      case 'start':
        job.started = true;
        break;
      case 'finish':
        job.waitstatus = num(ctx['status'], 0);
        if (job.state === State.RUN) {
          job.state = State.CLEANUP;
          job.t_cleanup = e.timestamp;
        }
        break;
      case 'free':
        job.holdsR = false;
        break;
      case 'exception':
        if (num(ctx['severity'], 0) !== 0) break;
        if (!job.exception) job.exception = { type: String(ctx['type'] ?? ''), severity: 0, note: String(ctx['note'] ?? '') };
        if (job.state !== State.INACTIVE && job.state !== State.CLEANUP) {
          job.endedByException = true;
          job.state = State.CLEANUP;
          job.t_cleanup = e.timestamp;
        }
        break;
      case 'clean':
        job.state = State.INACTIVE;
        job.t_inactive = e.timestamp;
        break;
      default:
        break;
    }
  }
  if (s.R) job.setR(s.R);
  if (expiration !== undefined && job.R) {
    job.R = { ...job.R, execution: { ...((job.R['execution'] ?? {}) as Obj), expiration } };
    job.expiration = expiration;
  }
  return job;
}

/** the stored jobspec (no environment) with the environment of the signed one */
function withEnvironment(stored: unknown, signed: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  const env = ((signed as Obj)?.['attributes'] as Obj | undefined)?.['system'] as Obj | undefined;
  if (env?.['environment'] === undefined) return stored;
  const attrs = ((stored as Obj)['attributes'] ?? {}) as Obj;
  const system = (attrs['system'] ?? {}) as Obj;
  return { ...(stored as Obj), attributes: { ...attrs, system: { ...system, environment: env['environment'] } } };
}
