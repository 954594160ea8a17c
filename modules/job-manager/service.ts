/**
 * The job manager's service: its handler table, one method per request
 * (modules/job-manager/protocol.avsc), over the Manager that holds the jobs
 * (manager.ts). Built by the module's child container (ADR 0018).
 */
import {
  Errno,
  FluxError,
  IConfig,
  IHandle,
  NO_RESPONSE,
  einval,
  enoent,
  inject,
  injectable,
  methods,
  tryParseJobId,
  type BrokerModule,
  type ConfigApply,
  type Handle,
  type HandlerTable,
  type Message,
} from '../../kernel/api';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';
import { ACTIVE, PENDING, RUNNING, State, type Job } from './job';
import { Manager } from './manager';
import { purgeConfig } from './purge';
import { queuePolicy, validateJobspec, type QueuePolicy } from './queues';
import { exceptionTypeOf, severityOf, signumOf, urgencyOf } from './checks';
import { jobtapHandlers } from './jobtap/service';
import { pluginEntries } from './jobtap/config';
import { perilogUnused } from './jobtap/perilog-config';
import { housekeepingSettings } from './housekeeping/config';
import { updateJob } from './update';
import { checkOwnJob, guestUserid, isOwner, privateMode } from './guest';
import { jobManagerReload } from './reconfig';
import { errorFields } from '../../lib/errors';
import { OWNER_UID } from '../../lib/owner-uid';
import { withMemo } from './memo';

/** how often CLEANUP looks whether the running jobs have ended (and cancels one that started since) */
const CLEANUP_POLL_MS = 20;
/**
 * how long CLEANUP waits for them: job-exec's kill-timeout (SIGKILL 5 s after
 * SIGTERM) and some. A job can outlast it: a task's output held open by a
 * process that left the task's group (setsid) keeps the job in CLEANUP
 */
const CLEANUP_WAIT_MS = 10_000;

type Obj = Record<string, unknown>;
/** a method's request, as the protocol has checked it */
type Req<M extends keyof JobManagerProtocol> = JobManagerProtocol[M]['request'];
/** what a method answers: its response, or NO_RESPONSE when it answers later (a waiter, a stream) */
type Res<M extends keyof JobManagerProtocol> = JobManagerProtocol[M]['response'] | typeof NO_RESPONSE;
/** handler entries checked against modules/job-manager/protocol.avsc */
const method = methods<JobManagerProtocol>();
/** a JSON object's fields (a shallow copy: the schema says only that it is an object) */
const fields = (o: object): Obj => Object.fromEntries(Object.entries(o));
/** a handler a guest may call (it checks job ownership itself where it acts: ./guest.ts) */
const guest = { ownerOnly: false } as const;
/** ids in one wait-inactive-many request at most (the client sends bigger sets in several) */
export const WAIT_MANY_MAX = 10_000;

/** a job id the job manager can hold (the schema checked it is a non-negative integer) */
function idOf(id: number): number {
  if (!Number.isSafeInteger(id)) throw einval('malformed job id');
  return id;
}

/** pending first (priority desc, id asc), then running (t_run desc), then inactive (t_inactive desc) */
function listOrder(a: Job, b: Job): number {
  const g = (j: Job) => (j.state & PENDING ? 0 : j.state & RUNNING ? 1 : 2);
  const ga = g(a);
  const gb = g(b);
  if (ga !== gb) return ga - gb;
  if (ga === 0) return b.priority - a.priority || a.id - b.id;
  if (ga === 1) return (b.t_run ?? 0) - (a.t_run ?? 0) || b.id - a.id;
  return (b.t_inactive ?? 0) - (a.t_inactive ?? 0) || b.id - a.id;
}

@injectable()
export class JobManager implements BrokerModule {
  readonly m: Manager;
  readonly handlers: HandlerTable;
  /** [access] private-mode: guests see their own jobs only (the [access] table is fixed while the broker runs) */
  private readonly private: boolean;

  constructor(
    @inject(IHandle) private readonly h: Handle,
    @inject(IConfig) private readonly config: Readonly<Record<string, unknown>>,
  ) {
    this.m = new Manager(h, purgeConfig(config), queuePolicy(config), config);
    this.private = privateMode(config);
    this.handlers = [...jobtapHandlers(this.m.jobtap), ...this.table];
  }

  private get table(): HandlerTable {
    return [
      method('submit', (p) => this.submit(p)),
      method('list', (p, msg) => this.list(p, msg), guest),
      method('raise', (p, msg) => this.raise(p, msg), guest),
      method('raiseall', (p, msg) => this.raiseall(p, msg), guest),
      method('killall', (p, msg) => this.killall(p, msg), guest),
      method('kill', (p, msg) => this.kill(p, msg), guest),
      method('memo', (p) => this.memo(p)),
      method('urgency', (p, msg) => this.urgency(p, msg), guest),
      method('update', (p, msg) => this.update(p, msg), { ownerOnly: false }),
      method('wait', (p, msg) => this.wait(p, msg)),
      method('pending-watch', (p, msg) => this.pendingWatch(p, msg), guest),
      method('wait-inactive', (p, msg) => this.waitInactive(p, msg), guest),
      method('wait-inactive-many', (p, msg) => this.waitInactiveMany(p, msg), guest),
      method('drain', (_p, msg) => this.drain(msg)),
      method('idle', (_p, msg) => this.idle(msg)),
      method('queue-status', (p) => this.queueStatus(p), guest),
      method('queue-enable', (p) => this.queueEnable(p)),
      method('queue-start', (p) => this.queueStart(p)),
      method('queue-list', () => this.queueList(), { ownerOnly: false }),
      // job-ingest asks before the scheduler's feasibility check: defaults, queue, limits, queue constraints
      method('validate', (p) => this.validate(p), { ownerOnly: false }),
      // the same for the jobs of one loop turn (a bulk submission): one request, not one a job
      method('validate-batch', (p) => this.validateBatch(p), { ownerOnly: false }),
      method('sched-hello', () => this.schedHello()),
      method('sched-ready', (p) => this.schedReady(p)),
      method('getinfo', () => this.getinfo()),
      method('purge', (p) => this.purge(p)),
      method('purge-id', (p) => this.purgeId(p)),
      method('stats-get', (p) => this.statsGet(p)),
      method('housekeeping-kill', (p) => this.housekeepingKill(p)),
      method('disconnect', (_p, msg) => this.disconnect(msg), { ownerOnly: false }),
    ];
  }

  async start(): Promise<void> {
    // [job-manager] plugins, in order, before the jobs of an earlier run come back
    for (const e of pluginEntries(this.config)) {
      try {
        if (e.remove !== undefined) this.m.jobtap.remove(e.remove);
        if (e.load !== undefined) await this.m.jobtap.load(e.load, e.conf);
      } catch (err) {
        throw einval(`[job-manager] plugins: ${(err as Error).message}`);
      }
    }
    const unused = perilogUnused(this.config, this.m.jobtap.list());
    if (unused !== undefined) throw einval(unused);
    this.m.housekeeping.configure(housekeepingSettings(this.config));
    if (((this.config['job-manager'] as Obj | undefined)?.['housekeeping'] as Obj | undefined)?.['use-systemd-unit'] !== undefined) {
      this.h.log('err', 'job-manager.housekeeping.use-systemd-unit is deprecated - ignoring');
    }
    await this.m.restore();
  }

  configReload(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): ConfigApply | Promise<ConfigApply> {
    return jobManagerReload(this.m, next, prev, this.h.log.bind(this.h));
  }

  /**
   * Rank 0's CLEANUP (the initial program is done, no broker has left yet),
   * as Flux's rc1 cleanup commands do it: the queues stop (not checkpointed:
   * a restart finds them as they were), every running job is canceled (the
   * instance owner's cancel exception), and the instance waits until none
   * runs (CLEANUP_WAIT_MS at most), so that no job's shells are lost to the
   * brokers' exit. A job that an allocation already on its way starts
   * meanwhile is canceled too.
   */
  async cleanup(): Promise<string | undefined> {
    this.m.setStarted(false);
    // Flux's rc step skips `flux cancel` so: a restart from the statedir finds the jobs running (manager.ts endRestarted)
    if (process.env['FLUX_DISABLE_JOB_CLEANUP']) {
      this.m.detached = true;
      this.h.log('info', `cleanup: FLUX_DISABLE_JOB_CLEANUP is set: ${this.m.nRunning} running job(s) not canceled`);
      return undefined;
    }
    let canceled = 0;
    let errors = 0;
    /** cancel what runs and has no fatal exception yet; true once nothing runs */
    const cancelRunning = (): boolean => {
      for (const j of this.m.jobs.values()) {
        if (j.state !== State.RUN || j.exception?.severity === 0) continue;
        try {
          this.m.raise(j, 'cancel', 0, '', OWNER_UID);
          canceled++;
        } catch {
          // counted, as flux cancel counts them: never thrown from the poll's timer into the loop
          errors++;
        }
      }
      return this.m.nRunning === 0;
    };
    const until = Date.now() + CLEANUP_WAIT_MS;
    if (!cancelRunning()) {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (!cancelRunning() && Date.now() < until) return;
          clearInterval(poll);
          resolve();
        }, CLEANUP_POLL_MS);
      });
    }
    if (this.m.nRunning > 0) {
      this.h.log('err', `cleanup: ${this.m.nRunning} job(s) still running ${CLEANUP_WAIT_MS / 1000}s after the cancel (a task's output held open?): the instance exits anyway`);
    }
    // the line Flux 0.88 logs for this step (the stderr of its third cleanup command, flux cancel)
    return canceled + errors > 0 ? `cleanup.2: flux-cancel: Canceled ${canceled} job${canceled === 1 ? '' : 's'} (${errors} errors)` : undefined;
  }

  async stop(): Promise<void> {
    this.m.shutdown();
    await this.m.checkpoint();
  }

  /** a named queue from a request, EINVAL when there is no such queue */
  private named(q: string | null | undefined): string | undefined {
    if (q === undefined || q === null) return undefined;
    if (!this.m.queueState.has(q)) throw einval(`'${q}' is not a valid queue`);
    return q;
  }

  private async submit(p: Req<'submit'>) {
    await this.m.submit(p.jobs.map((j) => ({ ...j, jobspec: fields(j.jobspec) })));
    return {};
  }

  private list(p: Req<'list'>, msg: Message) {
    const states = p.states ? p.states : ACTIVE | State.INACTIVE;
    // private mode: a guest's list is its own jobs, another's job named by id is not there
    const own = this.hidesOthers(msg) ? msg.userid : undefined;
    const userid = p.userid ?? -1;
    const max = p.max && p.max > 0 ? p.max : 0;
    let sel: Job[];
    if (p.ids) {
      sel = [];
      for (const id of p.ids) {
        const j = this.m.jobs.get(id);
        if (j && (own === undefined || j.userid === own)) sel.push(j);
      }
    } else {
      sel = [...this.m.jobs.values()].filter((j) => j.state & states && (userid < 0 || j.userid === userid) && (own === undefined || j.userid === own));
      sel.sort(listOrder);
      if (max > 0) sel = sel.slice(0, max);
    }
    return { jobs: sel.map((j) => j.summary()) };
  }

  private raise(p: Req<'raise'>, msg: Message) {
    const sev = severityOf(p.severity, 0);
    const type = exceptionTypeOf(p.type);
    const job = this.m.get(idOf(p.id));
    checkOwnJob(msg, job, 'raise exceptions on');
    this.m.raise(job, type, sev, p.note ?? '', msg.userid);
    return {};
  }

  private raiseall(p: Req<'raiseall'>, msg: Message) {
    const states = p.states ? p.states : ACTIVE;
    const userid = guestUserid(msg, p.userid ?? msg.userid, 'raise exceptions on');
    const sev = severityOf(p.severity, 0);
    const type = exceptionTypeOf(p.type);
    const note = p.note ?? '';
    const targets = [...this.m.jobs.values()].filter((j) => j.state & states && j.state & ACTIVE && (userid < 0 || j.userid === userid));
    let errors = 0;
    if (p.dry_run !== true) {
      for (const j of targets) {
        try {
          this.m.raise(j, type, sev, note, msg.userid);
        } catch {
          errors++;
        }
      }
    }
    return { count: targets.length, errors };
  }

  private killall(p: Req<'killall'>, msg: Message) {
    const userid = guestUserid(msg, p.userid ?? msg.userid, 'kill');
    const signum = signumOf(p.signum);
    const targets = [...this.m.jobs.values()].filter((j) => j.state & RUNNING && (userid < 0 || j.userid === userid));
    if (p.dry_run !== true) for (const j of targets) if (j.execRunning) this.m.signal(j, signum);
    return { count: targets.length, errors: 0 };
  }

  private kill(p: Req<'kill'>, msg: Message) {
    const job = this.m.get(idOf(p.id));
    checkOwnJob(msg, job, 'kill');
    const signum = p.signum ?? 15;
    if (signum <= 0 || signum >= 65) throw einval(`invalid signal number ${signum}`);
    if (job.state === State.INACTIVE) throw einval('job is inactive');
    if (!(job.state & RUNNING) || !job.execRunning) throw einval('job is not running');
    this.m.signal(job, signum);
    return {};
  }

  private memo(p: Req<'memo'>) {
    // memo {id (number or any encoding), memo: {key: value}}: small facts about
    // a job for tools, e.g. the uri a Flux instance running as the job posts
    const id = typeof p.id === 'string' ? tryParseJobId(p.id) : idOf(p.id);
    const memo = p.memo;
    if (id === undefined) throw einval('malformed job id');
    if (typeof memo !== 'object' || memo === null || Array.isArray(memo) || JSON.stringify(memo).length > 1024) {
      throw einval('memo must be an object of at most 1 KiB');
    }
    const job = this.m.jobs.get(Number(id));
    if (!job) throw einval('unknown job');
    if (job.state === State.INACTIVE) throw einval('job is inactive');
    // a volatile memo is not in the eventlog: flux jobs shows it until the instance restarts
    if (p.volatile !== true) this.m.events.post(job.kvsdir, 'memo', fields(memo));
    job.annotations = withMemo(job.annotations, memo as Record<string, unknown>);
    return {};
  }

  private urgency(p: Req<'urgency'>, msg: Message) {
    const urgency = urgencyOf(p.urgency);
    const job = this.m.jobs.get(idOf(p.id));
    if (!job) throw einval('unknown job');
    checkOwnJob(msg, job, 'adjust urgency of');
    if (!isOwner(msg) && urgency > 16) throw new FluxError(Errno.EPERM, 'guests can only adjust urgency <= 16');
    return { old_urgency: this.m.setUrgency(job, urgency, msg.userid) };
  }

  private update(p: Req<'update'>, msg: Message) {
    return updateJob(this.m, this.h, p.id, fields(p.updates), msg);
  }

  private wait(p: Req<'wait'>, msg: Message): Res<'wait'> {
    const r = this.m.waitFor(p.id === undefined || p.id === null ? undefined : idOf(p.id), msg);
    return r ?? NO_RESPONSE;
  }

  private pendingWatch(p: Req<'pending-watch'>, msg: Message): Res<'pending-watch'> {
    // streaming: why the scheduler cannot start a pending job ({reason}), until it leaves the queue
    this.m.watchPending(this.visible(idOf(p.id), msg), msg);
    return NO_RESPONSE;
  }

  /** [access] private-mode and a guest's request: other users' jobs are not shown to it */
  private hidesOthers(msg: Message): boolean {
    return this.private && !isOwner(msg);
  }

  /** The job `id`, as unknown to a guest in private mode when it is another user's. */
  private visible(id: number, msg: Message): Job {
    const job = this.m.get(id);
    if (this.hidesOthers(msg) && job.userid !== msg.userid) throw enoent('unknown job id');
    return job;
  }

  private waitInactive(p: Req<'wait-inactive'>, msg: Message): Res<'wait-inactive'> {
    const job = this.visible(idOf(p.id), msg);
    if (job.state === State.INACTIVE) return job.summary();
    this.m.waiters.addInactive(job.id, msg);
    return NO_RESPONSE;
  }

  private waitInactiveMany(p: Req<'wait-inactive-many'>, msg: Message): Res<'wait-inactive-many'> {
    if (p.ids.length > WAIT_MANY_MAX) throw new FluxError(Errno.EINVAL, `wait-inactive-many: at most ${WAIT_MANY_MAX} ids a request`);
    // every id is checked before the request waits on any: an unknown one fails it whole
    const jobs = [...new Set(p.ids)].map((id) => this.visible(idOf(id), msg));
    const done: Record<string, unknown>[] = [];
    const left: number[] = [];
    for (const job of jobs) {
      if (job.state === State.INACTIVE) done.push(job.summary());
      else left.push(job.id);
    }
    this.m.waiters.batches.add(msg, done, left);
    return NO_RESPONSE;
  }

  private drain(msg: Message): Res<'drain'> {
    if (this.m.nActive === 0) return {};
    this.m.waiters.drain.push(msg);
    return NO_RESPONSE;
  }

  private idle(msg: Message): Res<'idle'> {
    if (this.m.nRunning === 0) return { pending: this.m.counts().pending };
    this.m.waiters.idle.push(msg);
    return NO_RESPONSE;
  }

  private queueStatus(p: Req<'queue-status'>) {
    const c = this.m.counts();
    const o: Obj = { enable: this.m.enable, start: this.m.started, queued: c.queued, pending: c.allocPending, running: c.running };
    if (!this.m.enable) o['reason'] = this.m.disableReason ?? 'disabled by administrator';
    if (!this.m.started && this.m.stopReason !== undefined) o['stop_reason'] = this.m.stopReason;
    const q = this.named(p.queue);
    if (this.m.queueState.size > 0) {
      o['queues'] = [...this.m.queueState]
        .filter(([name]) => q === undefined || q === name)
        .map(([name, st]) => ({ name, enable: st.enable, start: st.start, ...(st.enable ? {} : { reason: st.reason }), ...(st.stopReason !== undefined ? { stop_reason: st.stopReason } : {}) }));
    }
    return o;
  }

  private queueEnable(p: Req<'queue-enable'>) {
    const enable = p.enable !== false;
    const reason = enable ? undefined : p.reason ? p.reason : 'disabled by administrator';
    const q = this.named(p.queue);
    if (this.m.queueState.size === 0) {
      this.m.enable = enable;
      this.m.disableReason = reason;
    }
    for (const [name, st] of this.m.queueState) {
      if (q !== undefined && q !== name) continue;
      st.enable = enable;
      st.reason = reason;
    }
    return this.m.checkpoint(p.nocheckpoint !== true).then(() => ({}));
  }

  private queueStart(p: Req<'queue-start'>) {
    this.m.setStarted(p.start !== false, this.named(p.queue), p.reason ?? undefined);
    return this.m.checkpoint(p.nocheckpoint !== true).then(() => ({}));
  }

  private queueList() {
    return listQueues(this.m.policy);
  }

  private validate(p: Req<'validate'>) {
    const steps = { defaults: p.defaults !== false, constraints: p.constraints !== false };
    return { jobspec: validateJobspec(this.m.policy, fields(p.jobspec ?? {}), steps) };
  }

  private validateBatch(p: Req<'validate-batch'>) {
    const steps = { defaults: p.defaults !== false, constraints: p.constraints !== false };
    return {
      results: p.jobspecs.map((js) => {
        try {
          return { jobspec: validateJobspec(this.m.policy, fields(js), steps) };
        } catch (e) {
          return errorFields(e);
        }
      }),
    };
  }

  private schedHello() {
    return this.m.schedHello();
  }

  private schedReady(p: Req<'sched-ready'>) {
    return this.m.schedReady(p.mode, p.limit);
  }

  private getinfo() {
    return ({ max_jobid: this.m.maxId });
  }

  private purge(p: Req<'purge'>) {
    const num = (k: string, v: number | null | undefined): number | undefined => {
      if (v === undefined || v === null || v < 0) return undefined;
      if (!Number.isFinite(v)) throw einval(`purge: ${k} must be a number`);
      return v;
    };
    const ageLimit = num('age_limit', p.age_limit);
    const numLimit = num('num_limit', p.num_limit);
    if (numLimit !== undefined && !Number.isInteger(numLimit)) throw einval('purge: num_limit must be an integer');
    const batch = num('batch', p.batch) ?? 0;
    if (ageLimit === undefined && numLimit === undefined) return { count: 0 };
    return { count: this.m.purgeLimits({ ageLimit, numLimit }, p.force === true || p.force === 1, Math.floor(batch)) };
  }

  private purgeId(p: Req<'purge-id'>) {
    const job = this.m.get(idOf(p.id));
    if (job.state !== State.INACTIVE) throw einval('cannot purge active job');
    if (p.force === true || p.force === 1) this.m.purge(job);
    return { count: 1 };
  }

  private statsGet(p: Req<'stats-get'>) {
    const o: Obj = {
      active_jobs: this.m.nActive,
      inactive_jobs: this.m.inactive.size,
      inactive_purged: this.m.nPurged,
      total_jobs: this.m.jobs.size,
      max_jobid: this.m.maxId,
      ...this.m.counts(),
      housekeeping: this.m.housekeeping.stats(),
    };
    // debug: {memory: true} adds the broker's process.memoryUsage(), after a
    // full GC when {gc: true} and the broker runs with node --expose-gc
    if (p.memory === true) {
      if (p.gc === true) (globalThis as { gc?: () => void }).gc?.();
      o['memory'] = process.memoryUsage();
    }
    return o;
  }

  /** flux housekeeping kill: signal housekeeping tasks of a job (or all), on some ranks (or all) */
  private housekeepingKill(p: Req<'housekeeping-kill'>) {
    const jobid = p.jobid === undefined || p.jobid === null ? undefined : idOf(p.jobid);
    this.m.housekeeping.kill(p.signum, jobid, p.ranks ?? undefined);
    return {};
  }

  private disconnect(msg: Message): Res<'disconnect'> {
      this.m.waiters.disconnect(msg.route[0] ?? '');
      return NO_RESPONSE;
    }
}

/** The configured queues and policy for `flux queue list` and `flux resource list` (durations in seconds, -1: none). */
function listQueues(p: QueuePolicy): Obj {
  // on the wire, as Flux writes them: no duration limit set -1, set unlimited ("0") 0; a size limit set unlimited -1
  const wire = (m: QueuePolicy['limits']['max']) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === Infinity ? -1 : v]));
  const lim = (l: QueuePolicy['limits']) => ({
    duration: l.duration === undefined ? -1 : Number.isFinite(l.duration) ? l.duration : 0,
    min: l.min,
    max: wire(l.max),
  });
  return {
    default: p.defaultQueue ?? null,
    defaultDuration: p.defaultDuration ?? -1,
    limits: lim(p.limits),
    queues: p.queues.map((q) => ({ name: q.name, requires: q.requires ?? [], defaultDuration: q.defaultDuration ?? -1, limits: lim(q.limits) })),
  };
}
