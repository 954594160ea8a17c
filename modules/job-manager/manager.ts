/**
 * The job manager's state machine (RFC 21): DEPEND → PRIORITY → SCHED → RUN →
 * CLEANUP → INACTIVE, driven by the scheduler (RFC 27: sched.alloc/free/cancel)
 * and the exec service (job-exec.start stream, job-exec.kill). It is the only
 * writer of job state; every transition is an event in job.<id>.eventlog.
 */
import { privateMode } from './guest';
import { Errno, FluxError, einval, enoent, longTimeout, type Handle, type LongTimer, type Message, type PublishArgs, type Rv1 } from '../../kernel/api';
import { encodeKvs } from '../../lib/formats';
import { JobtapHost } from './jobtap/host';
import { attachJobtap } from './jobtap/attach';
import { urgencyPriority } from './plugin-api';
import { EventPoster, now, type Entry } from './eventlog';
import { ACTIVE, Flags, Job, PENDING, RUNNING, State, type StateBit } from './job';
import { Waiters } from './waiters';
import { selectPurge, type PurgeLimits } from './purge';
import type { QueuePolicy } from './queues';
import { CHECKPOINT_KEY, WAITED_KEY, loadStoredJobs, queuesCheckpoint, replay, restoreQueues, type NamedQueueState } from './restart';
import { reconcileExpiration } from './update';
import { strandedJobs, strandedNote } from './stranded';
import { encodeF58 } from '../../lib/formats';
import { Housekeeping } from './housekeeping/housekeeping';
import { withSchedAnnotations, withoutMemos } from './memo';
import { MAX_KILL_INTERVAL_MS, backstopTiming, execSettings, type ExecSettings } from '../../lib/config/exec-settings';

type Obj = Record<string, unknown>;



export interface SubmitReq {
  id: number;
  userid: number;
  urgency: number;
  t_submit: number;
  flags: number;
  jobspec: Obj;
  /** the signed jobspec (a guest's: lib/signed-jobspec.ts), stored as J */
  J?: string | null;
}

/**
 * The urgency-based priority (.priority-default's answer). The job's priority
 * comes from the plugins: use jobtap.priority(job) (or reprioritize([job])).
 */
export const priorityOf = urgencyPriority;

export class Manager {
  readonly jobs = new Map<number, Job>();
  readonly events: EventPoster;
  readonly waiters: Waiters;
  /** jobs in SCHED without an outstanding alloc request */
  private readonly schedQueue = new Set<Job>();
  /** the anonymous queue (no [queues] configured) */
  enable = true;
  disableReason: string | undefined;
  /** why scheduling was stopped (flux queue stop -m), while it is */
  stopReason: string | undefined;
  started = true;
  /** named queues ([queues.NAME]): each enabled and, as in Flux, stopped until `flux queue start` */
  readonly queueState = new Map<string, NamedQueueState>();
  /** false after the scheduler answered ENOSYS, true again on hello */
  private schedUp = true;
  private allocLimit = 0;
  private allocOutstanding = 0;
  private kickScheduled = false;
  nActive = 0;
  nRunning = 0;
  /**
   * the instance stops with its jobs running (FLUX_DISABLE_JOB_CLEANUP): what
   * job-exec says of them as it unloads is not recorded, so that the next
   * start from the statedir finds them running (endRestarted)
   */
  detached = false;
  maxId = 0;
  /** inactive jobs, oldest inactive first (purge order) */
  readonly inactive = new Set<Job>();
  /** jobs purged since load */
  nPurged = 0;
  private purgeScheduled = false;
  private ageTimer: LongTimer | undefined;
  /** job-manager plugins (jobtap): dependencies, begin-time, priority, a site's validators */
  readonly jobtap: JobtapHost;
  /** [job-manager.housekeeping]: runs after a job, before its resources go back to the scheduler */
  readonly housekeeping: Housekeeping;
  /** jobs whose submit is still being written: they leave DEPEND only after */
  private readonly submitting = new Set<Job>();

  constructor(
    private readonly h: Handle,
    public limits: PurgeLimits = {},
    public policy: QueuePolicy = { queues: [], limits: { min: {}, max: {} } },
    config: Readonly<Obj> = {},
  ) {
    for (const q of policy.queues) this.queueState.set(q.name, { enable: true, start: false });
    this.events = new EventPoster(h);
    this.waiters = new Waiters(h);
    this.housekeeping = new Housekeeping(h);
    this.jobtap = attachJobtap(this, h, config);
    this.exec = execSettings(config);
    this.privateEvents = privateMode(config);
  }
  /** [access] private-mode: the job events go to the owner's clients only */
  private readonly privateEvents: boolean;

  /** a job event (job-exception, job-purge-inactive); in private mode guests do not learn of other users' jobs from it */
  private publishJobEvent<T extends 'job-exception' | 'job-purge-inactive'>(topic: T, ...payload: PublishArgs<T>): void {
    (this.privateEvents ? this.h.publishPrivate(topic, ...payload) : this.h.publish(topic, ...payload)).catch(() => undefined);
  }

  /** [exec]: the kill backstop after a fatal exception, a late start's extension (follows config reload) */
  exec: ExecSettings;

  // ---------------------------------------------------------------- lookup

  get(id: number): Job {
    const job = this.jobs.get(id);
    if (!job) throw enoent('unknown job id');
    return job;
  }

  // ---------------------------------------------------------------- submit

  /**
   * Accept new jobs from job-ingest: check their dependencies (RFC 26; a bad
   * or unsatisfiable one rejects the submission), write jobspec + first
   * events, then enter DEPEND, or go straight on to SCHED without dependencies.
   */
  async submit(reqs: SubmitReq[]): Promise<void> {
    if (this.queueState.size === 0 && !this.enable) throw einval(`job submission is disabled: ${this.disableReason ?? 'disabled by administrator'}`);
    for (const r of reqs) {
      const sys = (((r.jobspec['attributes'] ?? {}) as Obj)['system'] ?? {}) as Obj;
      // job-ingest had job-manager.validate set the queue (queues.ts); a jobspec that skipped it is checked here
      const q = sys['queue'];
      if (q !== undefined || this.queueState.size > 0) {
        const st = typeof q === 'string' ? this.queueState.get(q) : undefined;
        if (!st) throw einval(q === undefined ? 'no queue specified' : `Invalid queue '${String(q)}' specified`);
        if (!st.enable) throw einval(`queue ${String(q)}: job submission is disabled: ${st.reason ?? 'disabled by administrator'}`);
      }
      if (this.jobs.has(r.id)) throw new FluxError(Errno.EEXIST, `job ${r.id} already exists`);
    }
    // plugins (jobtap) validate each job and take its dependencies (RFC 26): a rejection refuses the submission
    const created = reqs.map((r) => new Job(r.id, r.userid, r.urgency, r.t_submit, r.flags, r.jobspec));
    const held = this.jobtap.admit(created);
    // All or nothing, and durable before the answer: every job's jobspec, J
    // and first events are written in one turn (one commit of the store), and
    // a job exists only once all of it is stored. A submit that fails here
    // leaves no job, no eventlog and no jobspec behind.
    const t = now();
    const first = new Map<number, Entry[]>();
    for (const job of created) {
      const submit = { timestamp: job.t_submit, name: 'submit', context: { userid: job.userid, urgency: job.urgency, flags: job.flags, version: 1 } };
      if (!held.has(job.id)) job.priority = this.jobtap.priority(job);
      first.set(
        job.id,
        !held.has(job.id)
          ? [submit, { timestamp: t, name: 'validate' }, { timestamp: t, name: 'depend' }, { timestamp: t, name: 'priority', context: { priority: job.priority } }]
          : [submit, { timestamp: t, name: 'validate' }],
      );
    }
    try {
      await this.storeNewJobs(reqs, first);
    } catch (e) {
      this.jobtap.abandon(created);
      throw e;
    }
    for (const job of created) {
      this.jobs.set(job.id, job);
      if (job.id > this.maxId) this.maxId = job.id;
      this.nActive++;
      job.t_depend = t;
      job.state = held.has(job.id) ? State.DEPEND : State.SCHED;
      this.submitting.add(job);
      this.jobtap.commit(job);
    }
    for (const job of created) {
      this.submitting.delete(job);
      this.jobtap.newJob(job);
      // the events written with the job (submit, validate ...) as if posted now
      for (const e of first.get(job.id) ?? []) this.jobtap.event(job.kvsdir, e.name, e.context);
      if (job.state === State.DEPEND) {
        this.jobtap.state(job, State.NEW);
        if (job.dependencies.length === 0) this.dependDone(job);
      } else if (job.state === State.SCHED) {
        this.jobtap.passed(job, State.NEW, [State.DEPEND, State.PRIORITY, State.SCHED]);
        this.enqueue(job);
      }
    }
  }

  /**
   * Store each new job's jobspec (as listed and shown: no environment), J
   * (all of it, for a job still pending when the instance restarts; a signed
   * job's signed form, whose payload has the environment) and first events;
   * on any failure remove what was stored and throw.
   */
  private async storeNewJobs(reqs: SubmitReq[], first: Map<number, Entry[]>): Promise<void> {
    // one kvs transaction for the batch (all or nothing): three requests a job cost a third of a submit
    const ops = reqs.flatMap((r) => {
      const dir = encodeKvs(r.id);
      return [
        { op: 'put', key: `${dir}.jobspec`, value: stripEnvironment(r.jobspec) },
        { op: 'put', key: `${dir}.J`, value: typeof r.J === 'string' ? r.J : r.jobspec },
        { op: 'append', key: `${dir}.eventlog`, entries: first.get(r.id) ?? [] },
      ];
    });
    await this.h.rpc('kvs.commit', { ops });
  }

  // ---------------------------------------------------------------- restart

  /**
   * The jobs a persistent kvs holds (a restart on the same statedir): inactive
   * ones are listed again, pending ones queue again as they were (held stay
   * held, dependencies and begin-times are registered again), and those that
   * were running end with an exception saying the instance restarted.
   */
  async restore(): Promise<void> {
    const { jobs, maxId, skipped, queue, queues } = await loadStoredJobs(this.h);
    for (const q of restoreQueues(queues, this.queueState)) this.h.log('info', `restart: queue ${q} is no longer configured: its state is dropped`);
    if (maxId > this.maxId) this.maxId = maxId;
    if (queue) {
      // the queue as an administrator left it (flux queue stop/disable)
      this.started = queue['start'] !== false;
      this.enable = queue['enable'] !== false;
      this.disableReason = this.enable ? undefined : typeof queue['reason'] === 'string' ? queue['reason'] : undefined;
      this.stopReason = this.started ? undefined : typeof queue['stop_reason'] === 'string' ? queue['stop_reason'] : undefined;
    }
    this.savedQueues = this.queuesNow();
    for (const d of skipped) this.h.log('err', `restart: ${d}: incomplete job record skipped`);
    const rebuilt: Job[] = [];
    for (const s of jobs) {
      const job = replay(s);
      if (!job) {
        this.h.log('err', `restart: ${encodeKvs(s.id)}: eventlog has no submit event: skipped`);
        continue;
      }
      this.jobs.set(job.id, job);
      rebuilt.push(job);
    }
    const inactive = rebuilt.filter((j) => j.state === State.INACTIVE).sort((a, b) => (a.t_inactive ?? 0) - (b.t_inactive ?? 0));
    for (const j of inactive) {
      // a waitable job not reaped before the restart stays waitable (Flux: its status is not lost)
      j.release();
      this.inactive.add(j);
      this.events.cold(j.kvsdir);
      this.jobtap.inactiveAdd(j);
    }
    let running = 0;
    for (const job of rebuilt) {
      if (job.state === State.INACTIVE) continue;
      this.nActive++;
      // as in Flux, plugins meet the jobs of an earlier run (job.new) before their first event of this one
      this.jobtap.newJob(job);
      if (job.state & RUNNING) {
        running++;
        this.endRestarted(job);
      } else {
        this.events.post(job.kvsdir, 'flux-restart');
        this.requeue(job);
      }
    }
    for (const job of strandedJobs(rebuilt, this.queueState)) this.h.log('err', `restart: ${strandedNote(job)}`);
    if (rebuilt.length > 0 || maxId > 0) {
      this.h.log('info', `restart: ${rebuilt.length} jobs`);
      this.h.log('info', `restart: ${running} running jobs`);
      this.h.log('debug', `restart: max_jobid=${encodeF58(this.maxId)}`);
    }
    if (inactive.length > 0) this.schedulePurge();
  }

  /** A pending job of an earlier run: back where it was in the queue. */
  private requeue(job: Job): void {
    if (job.state === State.DEPEND || job.state === State.NEW) {
      job.state = State.DEPEND;
      this.submitting.add(job);
      try {
        this.jobtap.redoDependencies(job);
      } catch (e) {
        this.submitting.delete(job);
        this.raise(job, 'dependency', 0, (e as Error).message);
        return;
      }
      this.submitting.delete(job);
      if (job.state === State.DEPEND && job.dependencies.length === 0) this.dependDone(job);
      return;
    }
    job.priority = this.jobtap.priority(job);
    this.events.post(job.kvsdir, 'priority', { priority: job.priority });
    job.state = State.SCHED;
    this.enqueue(job);
  }

  /** A job that was running when the instance stopped: its tasks are gone; it ends (Flux: no reattach). */
  private endRestarted(job: Job): void {
    this.nRunning++;
    if (job.waitstatus === undefined) {
      const note = 'instance restarted: reattach to running job is not implemented';
      this.events.post(job.kvsdir, 'exception', { type: 'exec', severity: 0, note });
      job.exception ??= { type: 'exec', severity: 0, note };
      job.endedByException = true;
    }
    job.state = State.CLEANUP;
    job.t_cleanup ??= now();
    this.events.post(job.kvsdir, 'release', { ranks: 'all', final: true });
    if (job.holdsR) {
      // the scheduler of this run never allocated it: nothing to give back
      job.holdsR = false;
      this.events.post(job.kvsdir, 'free');
    }
    this.clean(job);
  }

  /** the queues' state as the last checkpoint that saved it had it */
  private savedQueues: Obj = {};

  private queuesNow(): Obj {
    const queue = {
      enable: this.enable,
      start: this.started,
      ...(this.disableReason !== undefined ? { reason: this.disableReason } : {}),
      ...(this.stopReason !== undefined ? { stop_reason: this.stopReason } : {}),
    };
    return { queue, ...(this.queueState.size > 0 ? { queues: queuesCheckpoint(this.queueState) } : {}) };
  }

  /** the largest id ever given, kept in the kvs so that purging every job does not let ids go back */
  checkpoint(saveQueues = false): Promise<void> {
    // flux queue ... --nocheckpoint changes the queues but not what the checkpoint keeps of them
    if (saveQueues) this.savedQueues = this.queuesNow();
    return this.events.put(CHECKPOINT_KEY, { version: 1, max_jobid: this.maxId, ...this.savedQueues }).catch((e: Error) => this.h.log('err', `${CHECKPOINT_KEY}: ${e.message}`));
  }

  // ---------------------------------------------------------------- dependencies

  /** (jobtap) hold a job in DEPEND on description */
  dependencyAdd(job: Job, description: string): void {
    if (job.state !== State.DEPEND || job.dependencies.includes(description)) return;
    job.dependencies.push(description);
    this.events.post(job.kvsdir, 'dependency-add', { description });
  }

  /** (jobtap) release one dependency; the last one lets the job go on */
  dependencyRemove(job: Job, description: string): void {
    if (job.state !== State.DEPEND) return;
    const i = job.dependencies.indexOf(description);
    if (i < 0) return;
    job.dependencies.splice(i, 1);
    this.events.post(job.kvsdir, 'dependency-remove', { description });
    if (job.dependencies.length === 0 && !this.submitting.has(job)) this.dependDone(job);
  }

  /** DEPEND with no dependency left: `depend`, then PRIORITY → SCHED. */
  private dependDone(job: Job): void {
    this.events.post(job.kvsdir, 'depend');
    job.priority = this.jobtap.priority(job);
    this.events.post(job.kvsdir, 'priority', { priority: job.priority });
    this.jobtap.passed(job, State.DEPEND, [State.PRIORITY]);
    this.setState(job, State.SCHED);
    this.enqueue(job);
  }

  // ---------------------------------------------------------------- scheduling

  private enqueue(job: Job): void {
    if (job.state !== State.SCHED) return;
    if (job.bypassR) {
      // alloc-bypass.so: allocated with the R its owner gave, next turn, without the scheduler
      setImmediate(() => this.allocBypassed(job));
      return;
    }
    this.schedQueue.add(job);
    this.kick();
  }

  /** (jobtap, from job.state.sched) the job runs on R without asking the scheduler (alloc-bypass.so) */
  allocBypass(job: Job, R: Obj): void {
    if (job.state !== State.SCHED || job.allocPending) throw einval(`allocBypass: job ${encodeF58(job.id)} is not waiting for resources`);
    job.bypassR = R;
    // queued already (a plugin that acts after the job entered SCHED): the scheduler is not asked
    if (this.schedQueue.delete(job)) setImmediate(() => this.allocBypassed(job));
  }

  private allocBypassed(job: Job): void {
    const R = job.bypassR;
    if (job.state !== State.SCHED || !R) return;
    job.setR(R);
    job.holdsR = true;
    this.events.put(`${job.kvsdir}.R`, R, false).catch((e: Error) => this.h.log('err', `${job.kvsdir}.R: ${e.message}`));
    this.events.post(job.kvsdir, 'alloc', { bypass: true });
    if (job.state !== State.SCHED) return;
    this.setState(job, State.RUN);
    this.startExec(job);
  }

  /** Send alloc requests on the next tick (batching all jobs that became ready). */
  kick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.sendAllocs();
    });
  }

  private sendAllocs(): void {
    if (!this.schedUp || this.schedQueue.size === 0) return;
    const ready = [...this.schedQueue].filter((j) => j.priority > 0 && this.queueStarted(j));
    ready.sort((a, b) => b.priority - a.priority || a.id - b.id);
    for (const job of ready) {
      if (this.allocLimit > 0 && this.allocOutstanding >= this.allocLimit) break;
      this.schedQueue.delete(job);
      this.alloc(job);
    }
  }

  /**
   * sched.alloc is a stream (RFC 27): annotate responses may come while the job
   * waits; success, deny or cancel ends it.
   */
  private alloc(job: Job): void {
    job.allocPending = true;
    job.allocDuration = job.duration;
    this.allocOutstanding++;
    let settled = false;
    const payload = { id: job.id, priority: job.priority, userid: job.userid, t_submit: job.t_submit, jobspec: job.jobspec };
    // --flags=debug: the eventlog shows each request to the scheduler (as Flux's job manager posts it)
    if (job.flags & Flags.DEBUG) this.events.post(job.kvsdir, 'debug.alloc-request');
    // the scheduler may answer at once (a deny), inside rpcStream, before
    // `stream` is assigned (reading it then threw, and the deny was lost): the
    // stream is forgotten once it is
    const call: { stream?: ReturnType<Handle['rpcStream']> } = {};
    const stream = (call.stream = this.h.rpcStream('sched.alloc', payload, {
      onResponse: (p) => {
        const resp = (p ?? {}) as Obj;
        if (resp['type'] === 'annotate' || resp['type'] === 1) {
          if (!settled) this.annotate(job, resp['annotations']);
          return;
        }
        if (settled) return;
        settled = true;
        // success or deny is the stream's last word (RFC 27): nothing to tell sched
        call.stream?.forget();
        job.allocPending = false;
        this.allocOutstanding--;
        this.onAllocResponse(job, resp);
        this.kick();
      },
    }));
    if (settled) stream.forget();
    stream.done.then(
      () => {
        if (settled) return;
        // the stream ended without an answer: as an error
        settled = true;
        job.allocPending = false;
        this.allocOutstanding--;
        this.h.log('err', `sched.alloc ${job.id}: ended without a response: scheduling suspended until hello`);
        this.schedUp = false;
        if (job.state === State.SCHED) this.schedQueue.add(job);
      },
      (e: FluxError) => {
        if (settled) return;
        settled = true;
        job.allocPending = false;
        this.allocOutstanding--;
          if (e.errno === Errno.ENOSYS) {
            if (this.schedUp) this.h.log('debug', 'no scheduler is loaded: jobs wait in SCHED');
            this.schedUp = false;
          } else {
            this.h.log('err', `sched.alloc ${job.id}: ${e.message}: scheduling suspended until hello`);
            this.schedUp = false;
          }
          if (job.state === State.SCHED) this.schedQueue.add(job);
        },
      );
  }

  private onAllocResponse(job: Job, resp: Obj): void {
    const type = resp['type'];
    const isSuccess = type === 'success' || type === 0;
    if (isSuccess) {
      const R = (resp['R'] ?? {}) as Obj;
      if (job.state !== State.SCHED) {
        // canceled while the request was out: give the resources back
        this.h.send('sched.free', { id: job.id, R, final: true });
        return;
      }
      reconcileExpiration(this.h, job, R);
      job.setR(R);
      job.holdsR = true;
      // queued before the alloc event, like it not waited for (ADR 0013: a state-machine change)
      this.events.put(`${job.kvsdir}.R`, R, false).catch((e: Error) => this.h.log('err', `${job.kvsdir}.R: ${e.message}`));
      const ann = resp['annotations'];
      this.annotate(job, { sched: { reason_pending: null } });
      if (ann && typeof ann === 'object') job.annotations = withSchedAnnotations(job.annotations, ann as Obj);
      // the scheduler's annotations (a memo is an event of its own)
      const schedAnn = withoutMemos(job.annotations);
      this.events.post(job.kvsdir, 'alloc', schedAnn ? { annotations: schedAnn } : undefined);
      // a plugin's job.event.alloc may have ended it (alloc-check.so): its resources are freed already
      if (job.state !== State.SCHED) return;
      this.setState(job, State.RUN);
      this.startExec(job);
    } else if (type === 'deny' || type === 2) {
      if (job.state !== State.SCHED) return;
      const note = typeof resp['note'] === 'string' ? resp['note'] : '';
      this.raise(job, 'alloc', 0, note);
    } else if (type === 'cancel' || type === 3) {
      if (job.state === State.SCHED) this.schedQueue.add(job);
    }
  }

  /** A (re)loaded scheduler says hello: tell it what is allocated, then send allocs. */
  schedHello(): Obj {
    this.schedUp = true;
    const jobs: Obj[] = [];
    for (const job of this.jobs.values()) {
      if (job.holdsR && job.R && !job.bypassR) jobs.push({ id: job.id, R: job.R, priority: job.priority, userid: job.userid, t_submit: job.t_submit });
    }
    // resources of ended jobs still in housekeeping are allocated too
    jobs.push(...this.housekeeping.helloJobs());
    for (const job of this.jobs.values()) if (job.state === State.SCHED && !job.allocPending) this.schedQueue.add(job);
    this.kick();
    return { jobs };
  }

  schedReady(mode: unknown, limit: unknown): Obj {
    this.allocLimit = mode === 'limited' && typeof limit === 'number' && limit > 0 ? limit : 0;
    this.schedUp = true;
    this.kick();
    return { count: this.schedQueue.size };
  }

  // ---------------------------------------------------------------- exec

  private startExec(job: Job): void {
    if (job.perilog.length > 0) {
      // a prolog runs (jobtap prologStart): job-exec is asked once it finishes
      job.deferred = 'start';
      return;
    }
    job.execRunning = true;
    let released = false;
    const stream = this.h.rpcStream('job-exec.start', { id: job.id, userid: job.userid, R: job.R, jobspec: job.jobspec }, {
      onResponse: (p) => {
        const r = (p ?? {}) as Obj;
        if (this.detached) return;
        switch (r['type']) {
          case 'start':
            this.onStart(job);
            break;
          case 'finish':
            this.onFinish(job, typeof r['status'] === 'number' ? r['status'] : 0);
            break;
          case 'exception': {
            const data = (r['data'] ?? {}) as Obj;
            const etype = String(r['etype'] ?? r['exception_type'] ?? data['type'] ?? 'exec');
            const sev = typeof r['severity'] === 'number' ? r['severity'] : typeof data['severity'] === 'number' ? data['severity'] : 0;
            const note = String(r['note'] ?? data['note'] ?? '');
            this.raise(job, etype, sev, note);
            break;
          }
          case 'release': {
            const data = (r['data'] ?? {}) as Obj;
            const final = r['final'] === true || data['final'] === true;
            if (final && !released) {
              released = true;
              this.onRelease(job);
            }
            break;
          }
          default:
            break;
        }
      },
    });
    stream.done.then(
      () => {
        if (!released && !this.detached) {
          released = true;
          this.onRelease(job);
        }
      },
      (e: FluxError) => {
        if (!released && !this.detached) {
          const note = e.errno === Errno.ENOSYS ? 'no job execution service is loaded (job-exec)' : `job-exec: ${e.message}`;
          this.raise(job, 'exec', 0, note);
          released = true;
          this.onRelease(job);
        }
      },
    );
  }

  private onStart(job: Job): void {
    if (job.started) return;
    job.started = true;
    this.events.post(job.kvsdir, 'start');
    this.extendForLateStart(job);
    this.armExpiration(job);
  }

  /**
   * [exec] max-start-delay-percent, as Flux's: a job that starts later after
   * its alloc (a prolog, a slow start) than this share of its duration gets
   * the delay added to its time limit, so that a short job keeps the time it
   * asked for; the exec service's backstop timer follows.
   */
  private extendForLateStart(job: Job): void {
    const start = ((job.R?.['execution'] ?? {}) as Obj)['starttime'];
    if (typeof start !== 'number' || start <= 0 || job.expiration === undefined || job.expiration <= 0) return;
    const delay = now() - start;
    const duration = job.expiration - start;
    if (duration <= 0 || delay <= (this.exec.maxStartDelayPercent / 100) * duration) return;
    job.expiration += delay;
    job.startDelay = delay;
    this.h.log('debug', `${encodeF58(job.id)}: started ${delay.toFixed(3)}s after its alloc: time limit extended by as much`);
    this.h.rpc('job-exec.expiration', { id: job.id, expiration: job.expiration }).catch((e: Error) => this.h.log('debug', `job-exec.expiration ${job.id}: ${e.message}`));
  }

  /** (Re)arm a running job's timeout at its expiration (0: none); flux update moves it. */
  armExpiration(job: Job): void {
    if (job.state !== State.RUN) return;
    job.timer?.clear();
    job.timer = undefined;
    let ms = 0;
    if (job.expiration === 0) return;
    if (job.expiration !== undefined) ms = (job.expiration - now()) * 1000;
    else if (job.duration > 0) ms = job.duration * 1000;
    if (ms > 0 || job.expiration !== undefined) {
      // a long timer: a limit of 25 days is longer than one setTimeout can wait
      job.timer = longTimeout(() => {
        job.timer = undefined;
        if (job.state === State.RUN) this.raise(job, 'timeout', 0, 'resource allocation expired');
      }, Math.max(0, ms));
    }
  }

  private onFinish(job: Job, status: number): void {
    if (job.waitstatus !== undefined) return;
    job.waitstatus = status;
    this.events.post(job.kvsdir, 'finish', { status });
    job.timer?.clear();
    job.timer = undefined;
    if (job.state === State.RUN) this.setState(job, State.CLEANUP);
  }

  private onRelease(job: Job): void {
    job.execRunning = false;
    job.timer?.clear();
    job.timer = undefined;
    this.events.post(job.kvsdir, 'release', { ranks: 'all', final: true });
    if (job.state === State.RUN) this.setState(job, State.CLEANUP);
    this.free(job);
  }

  private free(job: Job): void {
    if (job.perilog.length > 0) {
      // an epilog (or a prolog being killed) runs: the resources go back once it finishes
      job.deferred = 'free';
      return;
    }
    if (job.holdsR) {
      // alloc-bypass: the scheduler never had these resources; with housekeeping, they go back once it ends
      if (!job.bypassR && !this.startHousekeeping(job)) this.h.send('sched.free', { id: job.id, R: job.R, final: true });
      job.holdsR = false;
      if (job.flags & Flags.DEBUG) this.events.post(job.kvsdir, 'debug.free-request');
      this.events.post(job.kvsdir, 'free');
    }
    this.clean(job);
  }

  private startHousekeeping(job: Job): boolean {
    const R = job.R as Rv1 | undefined;
    return R !== undefined && this.housekeeping.start({ id: job.id, userid: job.userid, priority: job.priority, t_submit: job.t_submit, R });
  }

  private clean(job: Job): void {
    this.events.post(job.kvsdir, 'clean');
    this.setState(job, State.INACTIVE);
  }

  // ---------------------------------------------------------------- prolog, epilog (jobtap)

  /**
   * (jobtap) A prolog (the job has its resources, job-exec is not asked yet)
   * or an epilog (the job holds its resources, in RUN or CLEANUP) starts:
   * posts KIND-start {description}; the job's start, or the free of its
   * resources, waits until every one has finished.
   */
  perilogStart(job: Job, kind: 'prolog' | 'epilog', description: string): void {
    const ok = kind === 'prolog' ? (job.state === State.SCHED || job.state === State.RUN) && !job.execRunning && !job.started : (job.state & RUNNING) !== 0 && job.holdsR;
    if (!ok) throw einval(`${kind}Start: job ${encodeF58(job.id)} cannot start a ${kind} in its state`);
    job.holdPerilog(`${kind}:${description}`);
    this.events.post(job.kvsdir, `${kind}-start`, { description });
  }

  /** (jobtap) posts KIND-finish {description, status}; the last one lets the job start or free its resources */
  perilogFinish(job: Job, kind: 'prolog' | 'epilog', description: string, status: number): void {
    if (!job.holdPerilog(`${kind}:${description}`, true)) throw einval(`${kind}Finish: job ${encodeF58(job.id)} has no ${kind} '${description}' running`);
    this.events.post(job.kvsdir, `${kind}-finish`, { description, status });
    // next turn: the plugin may still act on the job (raise, start an epilog) after the finish
    if (job.perilog.length === 0 && job.deferred !== undefined) setImmediate(() => this.resumeDeferred(job));
  }

  private resumeDeferred(job: Job): void {
    const what = job.deferred;
    if (job.perilog.length > 0 || what === undefined) return;
    job.deferred = undefined;
    if (what === 'start' && job.state === State.RUN) this.startExec(job);
    else if (what === 'free' && job.state === State.CLEANUP) this.free(job);
  }

  /** Send a signal to a running job's tasks. */
  signal(job: Job, signum: number): void {
    this.h.rpc('job-exec.kill', { id: job.id, signum }).catch((e: Error) => this.h.log('debug', `job-exec.kill ${job.id}: ${e.message}`));
  }

  /**
   * Fatal exception while running: the exec service signals the tasks itself,
   * once (the job-exception event: SIGALRM for a time limit, else [exec]
   * term-signal; kill-signal after its kill-timeout). The backstop, as
   * Flux's: kill-signal from here at 5 x kill-timeout, then kill-timeout,
   * doubling (at most 5 minutes apart), until the exec service releases the
   * job; after max-kill-count of them (or once max-kill-timeout has passed,
   * when set) a job still running is unkillable: its nodes are drained.
   */
  private terminate(job: Job): void {
    job.timer?.clear();
    const k = this.exec;
    const { firstMs, intervalMs } = backstopTiming(k);
    const began = Date.now();
    const again = (delay: number, next: number) => {
      job.timer = longTimeout(() => {
        job.timer = undefined;
        if (!job.execRunning) return;
        this.signal(job, k.killSignal);
        job.killCount++;
        const elapsed = Date.now() - began;
        const maxMs = k.maxKillTimeoutMs;
        if (maxMs !== undefined ? elapsed >= maxMs : job.killCount >= k.maxKillCount) return this.unkillable(job);
        // with max-kill-timeout, the last one lands on it
        again(maxMs !== undefined ? Math.max(1, Math.min(next, maxMs - elapsed)) : next, Math.min(next * 2, MAX_KILL_INTERVAL_MS));
      }, delay);
    };
    again(firstMs, intervalMs);
  }

  /** The job outlived every kill-signal: its nodes are drained (they stay its until it ends). */
  private unkillable(job: Job): void {
    const reason = `unkillable user processes for job ${encodeF58(job.id)}`;
    if (job.ranks === undefined) return;
    this.h.log('err', `${reason}: draining ${job.ranks}`);
    this.h.rpc('resource.drain', { targets: job.ranks, reason }).catch((e: Error) => this.h.log('err', `${reason}: drain: ${e.message}`));
  }

  // ---------------------------------------------------------------- exceptions

  /** Post an exception; severity 0 moves an active job toward INACTIVE. */
  raise(job: Job, type: string, severity: number, note: string, userid?: number): void {
    if (job.state === State.INACTIVE) throw einval('job is inactive');
    const ctx: Obj = { type, severity, note };
    if (userid !== undefined) ctx['userid'] = userid;
    this.events.post(job.kvsdir, 'exception', ctx);
    this.publishJobEvent('job-exception', { id: job.id, type, severity });
    if (severity !== 0) return;
    const firstFatal = job.exception === undefined;
    if (firstFatal) job.exception = { type, severity, note };
    if (job.state & PENDING) {
      job.endedByException = true;
      this.schedQueue.delete(job);
      if (job.allocPending) this.h.send('sched.cancel', { id: job.id });
      this.setState(job, State.CLEANUP);
      // raised as its alloc was posted (a plugin's job.event.alloc): the resources go back
      if (job.holdsR) this.free(job);
      else this.clean(job);
    } else if (job.state === State.RUN) {
      job.endedByException = true;
      this.setState(job, State.CLEANUP);
      if (job.execRunning) this.terminate(job);
      else this.free(job);
    }
  }

  // ---------------------------------------------------------------- urgency

  setUrgency(job: Job, urgency: number, userid: number): number {
    if (job.state === State.INACTIVE) throw einval('job is inactive');
    if (!Number.isInteger(urgency) || urgency < 0 || urgency > 31) throw einval('urgency value is out of range');
    if (job.holdsR || job.state & RUNNING) throw einval('urgency cannot be changed once resources are allocated');
    const old = job.urgency;
    job.urgency = urgency;
    this.events.post(job.kvsdir, 'urgency', { urgency, userid });
    // N.B. a job in DEPEND gets its priority when it leaves DEPEND
    this.reprioritize([job]);
    return old;
  }

  /**
   * (jobtap) pending jobs' priorities again: each that changed gets a
   * `priority` event, and the scheduler one sched.prioritize for them all.
   */
  reprioritize(jobs: Iterable<Job>): void {
    const changed: Array<[number, number]> = [];
    let kick = false;
    for (const job of jobs) {
      if (!(job.state & (State.PRIORITY | State.SCHED))) continue;
      const prio = this.jobtap.priority(job);
      if (prio === job.priority) continue;
      job.priority = prio;
      this.events.post(job.kvsdir, 'priority', { priority: prio });
      if (prio === 0 && job.allocPending) this.h.send('sched.cancel', { id: job.id });
      else if (job.allocPending) changed.push([job.id, prio]);
      if (job.state === State.SCHED) kick = true;
    }
    if (changed.length > 0) this.h.send('sched.prioritize', { jobs: changed });
    if (kick) this.kick();
  }

  /**
   * A SCHED job's jobspec changed (flux update): as Flux moves it back to
   * PRIORITY, its priority is asked for again and posted (`priority`, even
   * when unchanged); resubmitAlloc then sends the scheduler the new request.
   */
  prioritizeAgain(job: Job): void {
    job.priority = this.jobtap.priority(job);
    this.events.post(job.kvsdir, 'priority', { priority: job.priority });
  }

  /** A pending job's request changed (flux update): a request the scheduler holds is cancelled and sent again. */
  resubmitAlloc(job: Job): void {
    if (job.allocPending) this.h.send('sched.cancel', { id: job.id });
    else this.kick();
  }

  // ---------------------------------------------------------------- queue

  /** Is scheduling started for the job's queue? */
  private queueStarted(job: Job): boolean {
    if (this.queueState.size === 0) return this.started;
    return job.queue !== undefined && this.queueState.get(job.queue)?.start === true;
  }

  /** Start or stop scheduling: the anonymous queue, one named queue, or (queue undefined) every named queue. */
  setStarted(start: boolean, queue?: string, reason?: string): void {
    const why = start ? undefined : reason;
    if (this.queueState.size === 0) {
      this.started = start;
      this.stopReason = why;
    }
    for (const [name, st] of this.queueState) {
      if (queue !== undefined && queue !== name) continue;
      st.start = start;
      st.stopReason = why;
    }
    if (start) {
      this.kick();
      return;
    }
    this.withdrawUnstarted();
  }

  /** Cancel the alloc requests of jobs whose queue is not started (stopped, or not configured). */
  withdrawUnstarted(): void {
    for (const job of this.jobs.values()) {
      if (job.state === State.SCHED && job.allocPending && !this.queueStarted(job)) this.h.send('sched.cancel', { id: job.id });
    }
  }

  counts(): { pending: number; running: number; queued: number; allocPending: number } {
    let pending = 0;
    for (const j of this.jobs.values()) if (j.state & PENDING) pending++;
    return { pending, running: this.nRunning, queued: this.schedQueue.size, allocPending: this.allocOutstanding };
  }

  // ---------------------------------------------------------------- state

  /**
   * Merge scheduler annotations into the job's (RFC 27: a null value removes
   * a key) and tell pending-watch streams when sched.reason_pending changes.
   */
  private annotate(job: Job, upd: unknown): void {
    if (typeof upd !== 'object' || upd === null) return;
    const reasonOf = () => ((job.annotations?.['sched'] as Obj | undefined)?.['reason_pending'] as string | undefined) ?? undefined;
    const before = reasonOf();
    const out: Obj = { ...(job.annotations ?? {}) };
    for (const [k, v] of Object.entries(upd as Obj)) {
      if (v === null) delete out[k];
      else if (typeof v === 'object' && !Array.isArray(v)) {
        const inner: Obj = { ...((out[k] as Obj | undefined) ?? {}) };
        for (const [k2, v2] of Object.entries(v as Obj)) {
          if (v2 === null) delete inner[k2];
          else inner[k2] = v2;
        }
        if (Object.keys(inner).length > 0) out[k] = inner;
        else delete out[k];
      } else out[k] = v;
    }
    job.annotations = Object.keys(out).length > 0 ? out : undefined;
    const after = reasonOf();
    if (after !== before && job.state === State.SCHED) this.waiters.tellPending(job.id, after !== undefined ? { reason: after } : {});
  }

  /** pending-watch: the reason now (if any), then each change; ends when the job leaves the queue */
  watchPending(job: Job, msg: Message): void {
    if (!(job.state & PENDING)) {
      this.h.respondError(msg, Errno.ENODATA);
      return;
    }
    const reason = (job.annotations?.['sched'] as Obj | undefined)?.['reason_pending'];
    if (typeof reason === 'string') this.h.respond(msg, { reason });
    this.waiters.addPending(job.id, msg);
  }

  private setState(job: Job, s: StateBit): void {
    const was = job.state;
    if (was === s) return;
    job.state = s;
    if (!(s & PENDING)) this.waiters.endPending(job.id);
    const t = now();
    if (s === State.RUN) {
      job.t_run = t;
      this.nRunning++;
    } else if (s === State.CLEANUP) {
      job.t_cleanup = t;
      if (was !== State.RUN) this.nRunning++;
    } else if (s === State.INACTIVE) {
      job.t_inactive = t;
      if (was & RUNNING) this.nRunning--;
      this.nActive--;
      this.onInactive(job);
    }
    if (!(s & ACTIVE) || s === State.CLEANUP) this.checkIdle();
    this.jobtap.state(job, was);
  }

  private onInactive(job: Job): void {
    this.schedQueue.delete(job);
    job.release();
    this.inactive.add(job);
    this.schedulePurge();
    this.events.close(job.kvsdir);
    this.events.cold(job.kvsdir);
    this.jobtap.inactiveAdd(job);
    const summary = job.summary();
    this.waiters.fireInactive(job.id, summary);
    if (job.waitable) {
      const w = this.waiters.waitable.get(job.id) ?? this.waiters.anyWaitable.shift();
      if (w) {
        this.waiters.waitable.delete(job.id);
        this.h.respond(w, this.reap(job));
      }
    }
    this.checkWaitableExhausted();
  }

  // ---------------------------------------------------------------- purge

  /**
   * The inactive jobs beyond the given limits (oldest first, at most max);
   * with force they are purged. Returns how many.
   */
  purgeLimits(limits: PurgeLimits, force: boolean, max = 0): number {
    const sel = selectPurge(this.inactive, this.inactive.size, limits, now(), max);
    if (force) for (const j of sel) this.purge(j);
    return sel.length;
  }

  /** Forget an inactive job: job list, waiters and its kvs directory `job.<id>`. */
  purge(job: Job): void {
    if (job.state !== State.INACTIVE) throw einval('cannot purge active job');
    this.jobs.delete(job.id);
    this.inactive.delete(job);
    this.waiters.waitable.delete(job.id);
    this.nPurged++;
    this.jobtap.inactiveRemove(job);
    this.checkWaitableExhausted();
    this.h.rpc('kvs.unlink', { key: job.kvsdir, recursive: true }).catch((e: Error) => this.h.log('err', `purge ${job.kvsdir}: ${e.message}`));
    this.announcePurge(job.id);
  }

  /** purged ids not yet announced */
  private purgedIds: number[] = [];

  /** `job-purge-inactive {jobs}` as Flux publishes it, batched per turn: job-exec drops those jobs' output logs */
  private announcePurge(id: number): void {
    if (this.purgedIds.push(id) > 1) return;
    setImmediate(() => {
      const jobs = this.purgedIds;
      this.purgedIds = [];
      this.publishJobEvent('job-purge-inactive', { jobs });
      void this.checkpoint();
    });
  }

  /** Apply the configured limits soon (batching the jobs that became inactive together). */
  private schedulePurge(): void {
    const { ageLimit, numLimit } = this.limits;
    if (ageLimit === undefined && numLimit === undefined) return;
    if (numLimit !== undefined && this.inactive.size > numLimit && !this.purgeScheduled) {
      this.purgeScheduled = true;
      setImmediate(() => {
        this.purgeScheduled = false;
        this.purgeLimits(this.limits, true);
      });
    }
    this.armAgeTimer();
  }

  /** New purge limits (flux config load/reload): purge what they select now, and time the age limit anew. */
  setPurgeLimits(limits: PurgeLimits): void {
    this.limits = limits;
    this.ageTimer?.clear();
    this.ageTimer = undefined;
    this.purgeLimits(limits, true);
    this.armAgeTimer();
  }

  /** With an age limit: wake when the oldest inactive job passes it. */
  private armAgeTimer(): void {
    const age = this.limits.ageLimit;
    if (age === undefined || this.ageTimer) return;
    const oldest = this.inactive.values().next().value as Job | undefined;
    if (!oldest) return;
    const ms = ((oldest.t_inactive ?? 0) + age - now()) * 1000;
    this.ageTimer = longTimeout(() => {
      this.ageTimer = undefined;
      this.purgeLimits(this.limits, true);
      this.armAgeTimer();
    }, Math.max(0, Math.ceil(ms) + 1)).unref();
  }

  /** flux job wait with no id and nothing left to wait for: ECHILD. */
  checkWaitableExhausted(): void {
    if (this.waiters.anyWaitable.length === 0) return;
    for (const j of this.jobs.values()) if (j.waitable) return;
    for (const m of this.waiters.anyWaitable.splice(0)) this.h.respondError(m, Errno.ECHILD, 'there are no more waitable jobs');
  }

  checkIdle(): void {
    if (this.nActive === 0) this.waiters.fireAll(this.waiters.drain, {});
    if (this.nRunning === 0 && this.waiters.idle.length > 0) this.waiters.fireAll(this.waiters.idle, { pending: this.counts().pending });
  }

  /** The answer to job-manager.wait for a job that is inactive. */
  waitFor(id: number | undefined, msg: Message): Obj | undefined {
    if (id === undefined) {
      for (const j of this.jobs.values()) {
        if (j.waitable && j.state === State.INACTIVE) return this.reap(j);
      }
      for (const j of this.jobs.values()) {
        if (j.waitable) {
          this.waiters.anyWaitable.push(msg);
          return undefined;
        }
      }
      throw new FluxError(Errno.ECHILD, 'there are no more waitable jobs');
    }
    const job = this.jobs.get(id);
    // an active job that was never waitable: Flux's own reason, not the one for unknown or reaped jobs
    if (job && job.state !== State.INACTIVE && (job.flags & Flags.WAITABLE) === 0) throw new FluxError(Errno.EINVAL, 'job was not submitted with FLUX_JOB_WAITABLE');
    if (!job || !job.waitable || this.waiters.waitable.has(id)) {
      throw new FluxError(Errno.ECHILD, 'invalid job id, or job may be inactive and not waitable');
    }
    if (job.state === State.INACTIVE) return this.reap(job);
    this.waiters.waitable.set(id, msg);
    return undefined;
  }

  /** An inactive waitable job is reaped: no longer waitable, now and after a restart (WAITED_KEY). */
  private reap(job: Job): Obj {
    job.waitable = false;
    this.events.put(`${job.kvsdir}.${WAITED_KEY}`, now(), false).catch((e: Error) => this.h.log('err', `${job.kvsdir}.${WAITED_KEY}: ${e.message}`));
    return waitResult(job);
  }

  /** Stop timers (module unload). */
  shutdown(): void {
    this.jobtap.shutdown();
    this.housekeeping.shutdown();
    this.ageTimer?.clear();
    this.ageTimer = undefined;
    for (const j of this.jobs.values()) {
      j.timer?.clear();
      j.timer = undefined;
    }
    this.waiters.abort();
  }
}

/** {id, success, errstr} as flux_job_wait gives it. */
export function waitResult(job: Job): Obj {
  const s = job.summary();
  return { ...s, success: s['success'] === true, errstr: waitErrstr(job) };
}

function waitErrstr(job: Job): string {
  if (job.exception) return `Fatal exception type=${job.exception.type} ${job.exception.note}`.trimEnd();
  const st = job.waitstatus ?? 0;
  if (st === 0) return '';
  if ((st & 0x7f) !== 0) return `job shell ${signalName(st & 0x7f)}`;
  const code = (st >> 8) & 0xff;
  if (code > 128) return `task(s) ${signalName(code - 128)}`;
  return `task(s) exited with exit code ${code}`;
}

const SIGNAL_TEXT: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated',
};

export function signalName(n: number): string {
  return SIGNAL_TEXT[n] ?? `Unknown signal ${n}`;
}

/** The jobspec copy stored in the kvs has its environment removed (it is in the job's J). */
function stripEnvironment(js: Obj): Obj {
  const attrs = (js['attributes'] ?? {}) as Obj;
  const sys = (attrs['system'] ?? {}) as Obj;
  if (!('environment' in sys)) return js;
  const { environment: _env, ...rest } = sys;
  void _env;
  return { ...js, attributes: { ...attrs, system: rest } };
}
