/**
 * One job as the job manager holds it: identity, state (RFC 21 bits), times,
 * what listing needs, and — while active only — the jobspec and R. When a job
 * becomes INACTIVE, release() drops everything big so memory stays flat.
 */
import { encodeKvs, hostlist, idset } from '../../lib/formats';
import type { LongTimer } from '../../lib/long-timer';
import { JobResult, JobState, JobStates, type JobStateBit } from '../../lib/protocol/job-states';

/** RFC 21 state bits and results: shared with the clients (lib/protocol/job-states.ts) */
export const State = JobState;
export type StateBit = JobStateBit;
export const Result = JobResult;
export const PENDING = JobStates.PENDING;
export const RUNNING = JobStates.RUNNING;
export const ACTIVE = JobStates.ACTIVE;

export const Flags = { DEBUG: 2, WAITABLE: 4, NOVALIDATE: 8 } as const;

export interface ExceptionInfo {
  type: string;
  severity: number;
  note: string;
}

type Obj = Record<string, unknown>;

/** an inactive job's dependencies: none, one shared array for all (an inactive job takes none) */
export const NO_DEPENDENCIES: string[] = Object.freeze([]) as unknown as string[];

/**
 * One shared copy of the strings many jobs have alike (name, cwd, queue,
 * ranks, nodelist): an inactive job is kept until purged, and a copy of each
 * per job was a good part of its record. Bounded: past COMMON_MAX distinct
 * ones, a string is kept as it is.
 */
const common = new Map<string, string>();
const COMMON_MAX = 4096;
export function shared<T extends string | undefined>(s: T): T {
  if (s === undefined || s.length > 256) return s;
  const have = common.get(s);
  if (have !== undefined) return have as T;
  if (common.size < COMMON_MAX) common.set(s, s);
  return s;
}

/** RFC 20 R: ranks idset, nodelist and core count. */
export function summarizeR(R: unknown): { ranks: string; nodelist: string; nnodes: number; ncores: number } {
  const ex = ((R as Obj | undefined)?.['execution'] ?? {}) as Obj;
  const lite = Array.isArray(ex['R_lite']) ? (ex['R_lite'] as Obj[]) : [];
  const ranks = new Set<number>();
  let ncores = 0;
  for (const e of lite) {
    let rs: number[];
    try {
      rs = idset.decode(String(e['rank'] ?? ''));
    } catch {
      rs = [];
    }
    for (const r of rs) ranks.add(r);
    let cores: number;
    try {
      cores = idset.count(String(((e['children'] ?? {}) as Obj)['core'] ?? ''));
    } catch {
      cores = 0;
    }
    ncores += cores * rs.length;
  }
  let hosts: string[] = [];
  const nl = Array.isArray(ex['nodelist']) ? (ex['nodelist'] as unknown[]).map(String) : [];
  try {
    for (const h of nl) hosts = hosts.concat(hostlist.expand(h));
  } catch {
    hosts = nl;
  }
  return {
    ranks: idset.encode([...ranks].sort((a, b) => a - b)),
    nodelist: hostlist.compress(hosts),
    nnodes: ranks.size,
    ncores,
  };
}

/** the shell option per-resource ({type: node|core, count}: `flux batch`, --tasks-per-core), if set */
function perResource(js: Obj | undefined): { type: string; count: number } | undefined {
  const sys = (((js?.['attributes'] ?? {}) as Obj)['system'] ?? {}) as Obj;
  const pr = ((((sys['shell'] ?? {}) as Obj)['options'] ?? {}) as Obj)['per-resource'] as Obj | undefined;
  if (typeof pr !== 'object' || pr === null || typeof pr['type'] !== 'string') return undefined;
  const count = typeof pr['count'] === 'number' ? pr['count'] : 1;
  return count > 0 ? { type: pr['type'], count } : undefined;
}

/**
 * ntasks, nnodes (if -N given), ncores and name from a V1 jobspec. ntasks is
 * -1 when only R can tell it, as in Flux's job-list: N tasks on every core
 * (per-resource type core, --tasks-per-core) of whole nodes (-N).
 */
export function summarizeJobspec(js: Obj): { ntasks: number; nnodes?: number; ncores: number; name: string; duration: number; cwd: string; queue?: string } {
  const res = Array.isArray(js['resources']) ? (js['resources'] as Obj[]) : [];
  let nnodes: number | undefined;
  let slots = 1;
  let coresPerSlot = 1;
  let v: Obj | undefined = res[0];
  let mult = 1;
  while (v) {
    const count = typeof v['count'] === 'number' ? v['count'] : 1;
    if (v['type'] === 'node') nnodes = count;
    if (v['type'] === 'slot') {
      slots = mult * count;
      const core = ((v['with'] as Obj[] | undefined) ?? []).find((w) => w['type'] === 'core');
      coresPerSlot = typeof core?.['count'] === 'number' ? core['count'] : 1;
      break;
    }
    mult *= count;
    v = ((v['with'] as Obj[] | undefined) ?? [])[0];
  }
  const task = ((js['tasks'] as Obj[] | undefined) ?? [])[0] ?? {};
  const count = (task['count'] ?? {}) as Obj;
  const per = perResource(js);
  let ntasks = typeof count['total'] === 'number' ? count['total'] : slots * (typeof count['per_slot'] === 'number' ? count['per_slot'] : 1);
  if (per?.type === 'node' && nnodes !== undefined) ntasks = nnodes * per.count;
  else if (per?.type === 'core') ntasks = nnodes === undefined ? slots * coresPerSlot * per.count : -1;
  const sys = (((js['attributes'] ?? {}) as Obj)['system'] ?? {}) as Obj;
  const cmd = Array.isArray(task['command']) ? (task['command'] as unknown[]).map(String) : [];
  const jobName = ((sys['job'] ?? {}) as Obj)['name'];
  const name = typeof jobName === 'string' ? jobName : (cmd[0] ?? '').split('/').pop() || '';
  return {
    ntasks,
    nnodes,
    ncores: slots * coresPerSlot,
    name,
    duration: typeof sys['duration'] === 'number' ? sys['duration'] : 0,
    cwd: typeof sys['cwd'] === 'string' ? sys['cwd'] : '',
    queue: typeof sys['queue'] === 'string' ? sys['queue'] : undefined,
  };
}

/** the fields only an active job needs (Job.live) */
class Live {
  allocPending = false;
  execRunning = false;
  holdsR = false;
  killCount = 0;
  /** seconds its time limit was extended for a late start ([exec] max-start-delay-percent) */
  startDelay?: number;
  annotations?: Obj;
  jobspec?: Obj;
  R?: Obj;
  timer?: LongTimer;
  /** Job.kvsdir, made once while the job is active (asked for ~20 times a job) */
  kvsdir?: string;
  /** prologs and epilogs running (jobtap prologStart/epilogStart): `prolog:DESC`, `epilog:DESC` */
  perilog?: string[];
  /** start (job-exec) or free (sched) waits for the perilog holds to end */
  deferred?: 'start' | 'free';
  /** alloc-bypass.so: the R the job runs on, given by its owner, not the scheduler */
  bypassR?: Obj;
}

export class Job {
  state: StateBit = State.NEW;
  priority = -1;
  t_depend?: number;
  t_run?: number;
  t_cleanup?: number;
  t_inactive?: number;
  name: string;
  /** -1 until R tells it (summarizeJobspec) */
  ntasks: number;
  nnodes?: number;
  ncores: number;
  duration: number;
  cwd: string;
  queue?: string;
  ranks?: string;
  nodelist?: string;
  expiration?: number;
  /** the duration the last sched.alloc request carried (an answer to it is reconciled only if flux update changed it since) */
  allocDuration?: number;
  /** first fatal exception */
  exception?: ExceptionInfo;
  /** a fatal exception (not `finish`) moved the job to CLEANUP */
  endedByException = false;
  /** outstanding dependency descriptions (RFC 26), in dependency-add order */
  dependencies: string[] = [];
  waitstatus?: number;
  started = false;
  /** waitable job not yet reaped by job-manager.wait */
  waitable: boolean;
  /**
   * What only an active job has (release() drops it: an inactive job is
   * kept until purged, and each field is 8 bytes of every kept record). The
   * accessors below read it as fields; a setter given the default value
   * does not make it again for an inactive job.
   */
  private live: Live | undefined = new Live();

  private own(): Live {
    return (this.live ??= new Live());
  }

  /** scheduler alloc request outstanding */
  get allocPending(): boolean {
    return this.live?.allocPending ?? false;
  }
  set allocPending(v: boolean) {
    if (v || this.live) this.own().allocPending = v;
  }
  /** exec stream running */
  get execRunning(): boolean {
    return this.live?.execRunning ?? false;
  }
  set execRunning(v: boolean) {
    if (v || this.live) this.own().execRunning = v;
  }
  /** resources still held (alloc succeeded, not freed) */
  get holdsR(): boolean {
    return this.live?.holdsR ?? false;
  }
  set holdsR(v: boolean) {
    if (v || this.live) this.own().holdsR = v;
  }
  get annotations(): Obj | undefined {
    return this.live?.annotations;
  }
  set annotations(v: Obj | undefined) {
    if (v !== undefined || this.live) this.own().annotations = v;
  }
  get jobspec(): Obj | undefined {
    return this.live?.jobspec;
  }
  set jobspec(v: Obj | undefined) {
    if (v !== undefined || this.live) this.own().jobspec = v;
  }
  get R(): Obj | undefined {
    return this.live?.R;
  }
  set R(v: Obj | undefined) {
    if (v !== undefined || this.live) this.own().R = v;
  }
  get timer(): LongTimer | undefined {
    return this.live?.timer;
  }
  set timer(v: LongTimer | undefined) {
    if (v !== undefined || this.live) this.own().timer = v;
  }
  /** prologs and epilogs holding the job's start or free */
  get perilog(): readonly string[] {
    return this.live?.perilog ?? NO_DEPENDENCIES;
  }
  get deferred(): 'start' | 'free' | undefined {
    return this.live?.deferred;
  }
  set deferred(v: 'start' | 'free' | undefined) {
    if (v !== undefined || this.live) this.own().deferred = v;
  }
  /** alloc-bypass: the R it runs on without the scheduler (set in SCHED; kept while it holds it) */
  get bypassR(): Obj | undefined {
    return this.live?.bypassR;
  }
  set bypassR(v: Obj | undefined) {
    if (v !== undefined || this.live) this.own().bypassR = v;
  }
  /** add (or, with remove, take away) a perilog hold; false when removing one not held */
  holdPerilog(key: string, remove = false): boolean {
    const live = this.own();
    if (!remove) {
      (live.perilog ??= []).push(key);
      return true;
    }
    const i = live.perilog?.indexOf(key) ?? -1;
    if (i < 0) return false;
    live.perilog!.splice(i, 1);
    return true;
  }
  get startDelay(): number {
    return this.live?.startDelay ?? 0;
  }
  set startDelay(v: number) {
    if (v !== 0 || this.live) this.own().startDelay = v;
  }
  get killCount(): number {
    return this.live?.killCount ?? 0;
  }
  set killCount(v: number) {
    if (v !== 0 || this.live) this.own().killCount = v;
  }

  constructor(
    readonly id: number,
    readonly userid: number,
    public urgency: number,
    readonly t_submit: number,
    readonly flags: number,
    jobspec: Obj,
  ) {
    this.jobspec = jobspec;
    const s = summarizeJobspec(jobspec);
    this.name = shared(s.name);
    this.ntasks = s.ntasks;
    this.nnodes = s.nnodes;
    this.ncores = s.ncores;
    this.duration = s.duration;
    this.cwd = shared(s.cwd);
    this.queue = shared(s.queue);
    this.waitable = (flags & Flags.WAITABLE) !== 0;
  }

  get kvsdir(): string {
    const live = this.live;
    if (live === undefined) return encodeKvs(this.id);
    return (live.kvsdir ??= encodeKvs(this.id));
  }

  setR(R: Obj): void {
    this.R = R;
    const s = summarizeR(R);
    this.ranks = shared(s.ranks);
    this.nodelist = shared(s.nodelist);
    this.nnodes = s.nnodes;
    if (s.ncores > 0) this.ncores = s.ncores;
    // N tasks on every core of the nodes it got: the count the shells start (job-exec taskmap.ts)
    const per = perResource(this.jobspec);
    if (per?.type === 'core' && s.ncores > 0) this.ntasks = s.ncores * per.count;
    const exp = ((R['execution'] ?? {}) as Obj)['expiration'];
    if (typeof exp === 'number' && exp > 0) this.expiration = exp;
  }

  get result(): number {
    if (this.exception) {
      if (this.exception.type === 'cancel') return Result.CANCELED;
      if (this.exception.type === 'timeout') return Result.TIMEOUT;
      return Result.FAILED;
    }
    return this.waitstatus === 0 ? Result.COMPLETED : Result.FAILED;
  }

  /** Drop what an INACTIVE job no longer needs (no timers, no big objects, no live-only fields). */
  release(): void {
    this.dependencies = NO_DEPENDENCIES;
    this.timer?.clear();
    this.live = undefined;
  }

  /** The record job-manager.list returns (job-list field names). */
  summary(): Obj {
    const o: Obj = {
      id: this.id,
      userid: this.userid,
      urgency: this.urgency,
      priority: this.priority,
      state: this.state,
      name: this.name,
      cwd: this.cwd,
      // -1: not known until the job has resources (Flux's job-list leaves it out too)
      ...(this.ntasks >= 0 ? { ntasks: this.ntasks } : {}),
      ncores: this.ncores,
      duration: this.duration,
      t_submit: this.t_submit,
    };
    if (this.nnodes !== undefined) o['nnodes'] = this.nnodes;
    if (this.queue !== undefined) o['queue'] = this.queue;
    if (this.ranks !== undefined) o['ranks'] = this.ranks;
    if (this.nodelist !== undefined) o['nodelist'] = this.nodelist;
    if (this.expiration !== undefined) o['expiration'] = this.expiration;
    if (this.t_depend !== undefined) o['t_depend'] = this.t_depend;
    if (this.t_run !== undefined) o['t_run'] = this.t_run;
    if (this.t_cleanup !== undefined) o['t_cleanup'] = this.t_cleanup;
    if (this.t_inactive !== undefined) o['t_inactive'] = this.t_inactive;
    if (this.annotations !== undefined) o['annotations'] = this.annotations;
    if (this.dependencies.length > 0) o['dependencies'] = [...this.dependencies];
    if (this.state === State.INACTIVE) {
      o['result'] = this.result;
      o['success'] = this.result === Result.COMPLETED;
    }
    if (this.waitstatus !== undefined) o['waitstatus'] = this.waitstatus;
    o['exception_occurred'] = this.exception !== undefined;
    if (this.exception) {
      o['exception_type'] = this.exception.type;
      o['exception_severity'] = this.exception.severity;
      o['exception_note'] = this.exception.note;
    }
    return o;
  }
}
