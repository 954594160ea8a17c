/**
 * The scheduler policy plugin API (what plugins/sched/<name>/index.ts implement).
 * The sched module does all the messaging (RFC 27 with job-manager, resource
 * updates); a policy only orders the queue and decides. schedule() is pure: it
 * gets a scratch copy of the pool and the time, and returns decisions. The host
 * commits them. Plugins import only kernel/api and this file.
 */
import { token, type Constraint, type Registry, type Rv1 } from '../../kernel/api';

/** Job id as the job-manager sent it (number or decimal string); keep it as is. */
export type JobId = number | string;

/** What a job asks for, from its jobspec (V1 shapes only). */
export interface ResourceRequest {
  /** node count when the jobspec has a node vertex */
  nnodes?: number;
  /** whole nodes (node vertex with exclusive, as `-N` without `-n`) */
  exclusive: boolean;
  /** total slots (with nodes: slots per node * nnodes) */
  nslots: number;
  /** cores per slot */
  coresPerSlot: number;
  /** gpus per slot */
  gpusPerSlot: number;
  /** seconds; 0 = unlimited */
  duration: number;
  /**
   * RFC 31 constraint (attributes.system.constraints, e.g. from --requires or
   * a queue's requires): only nodes that satisfy it count, in infeasible() and
   * match() alike, so every policy that asks the pool honours it.
   */
  constraint?: Constraint;
}

/** A job waiting for resources. */
export interface PendingJob {
  id: JobId;
  priority: number;
  userid: number;
  t_submit: number;
  request: ResourceRequest;
}

/** A job holding resources (after alloc, or replayed by hello). */
export interface RunningJob {
  id: JobId;
  R: Rv1;
  /** epoch seconds when it is expected to end (Infinity if unlimited) */
  end: number;
}

export type NodeOrder = 'low' | 'high';

/** The resources as the policy sees them; the host implements it. */
export interface ResourcePool {
  /** ranks in the pool (all, including down ones) */
  readonly ranks: readonly number[];
  /** Why a request can never be satisfied by the whole pool (drained/down ranks count), or undefined. */
  infeasible(req: ResourceRequest): string | undefined;
  /** Find resources for req among up, undrained, free resources; undefined if not now. Does not take them. */
  match(req: ResourceRequest, order?: NodeOrder): Rv1 | undefined;
  /** Mark R as allocated in this pool. */
  take(R: Rv1): void;
  /** Return R to this pool. */
  give(R: Rv1): void;
  /** A deep copy (for simulations, e.g. backfill reservations). */
  clone(): ResourcePool;
}

export type Decision =
  | { type: 'alloc'; id: JobId; R: Rv1 }
  | { type: 'deny'; id: JobId; note: string }
  | { type: 'annotate'; id: JobId; annotations: Record<string, unknown> };

/** Options a policy gets at creation (module args and [sched] config, args win). */
export type PolicyOptions = ReadonlyMap<string, string>;

export interface SchedPolicy {
  readonly name: string;
  /** a job already holding resources (replayed at load) */
  hello(job: RunningJob): void;
  /** a new alloc request; the policy keeps its own queue order */
  enqueue(job: PendingJob): void;
  /** drop a pending job; true if it was queued */
  cancel(id: JobId): boolean;
  /** a running job released its resources */
  free(id: JobId): void;
  /**
   * a running job's expected end moved (flux update duration; Infinity: none).
   * Optional: without it the host calls hello() again with the new end.
   */
  expiration?(id: JobId, end: number): void;
  /** update priorities of pending jobs */
  prioritize?(updates: ReadonlyArray<readonly [JobId, number]>): void;
  /**
   * Decide: pool is a scratch copy (take() on it to plan several jobs in one pass),
   * now is epoch seconds. Every alloc/deny removes the job from the policy's queue;
   * allocated jobs are then tracked as running by the policy itself.
   */
  schedule(pool: ResourcePool, now: number): Decision[];
  /** pending jobs in queue order (for status / tests) */
  queue(): readonly PendingJob[];
}

/** What a plugin folder default-exports. */
export interface SchedPolicyPlugin {
  readonly schedPolicy: 1;
  readonly name: string;
  readonly description: string;
  /** option names the policy reads from [sched] or module args besides `select`; others are refused */
  readonly options?: readonly string[];
  create(opts: PolicyOptions): SchedPolicy;
}

export function definePolicy(p: Omit<SchedPolicyPlugin, 'schedPolicy'>): SchedPolicyPlugin {
  return { schedPolicy: 1, ...p };
}

export function isSchedPolicyPlugin(x: unknown): x is SchedPolicyPlugin {
  const p = x as Partial<SchedPolicyPlugin> | null;
  return !!p && p.schedPolicy === 1 && typeof p.name === 'string' && typeof p.create === 'function';
}

/**
 * The broker's registry of policies, by name (ADR 0018): plugins/sched/<name>
 * are its built-ins; a site module provides more (or overrides one) through
 * IRegistries, and `[sched] policy = "NAME"` picks one.
 */
export const ISchedPolicies = token<Registry<SchedPolicyPlugin>>('flux.sched.policies');

/** Queue order shared by the policies: priority desc, then submit time, then id. */
export function queueOrder(a: PendingJob, b: PendingJob): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.t_submit !== b.t_submit) return a.t_submit - b.t_submit;
  if (typeof a.id === 'number' && typeof b.id === 'number') return a.id - b.id;
  const ia = BigInt(a.id);
  const ib = BigInt(b.id);
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** Expected end (epoch s) of a job starting now with the given duration (0 = unlimited). */
export function expectedEnd(now: number, duration: number): number {
  return duration > 0 ? now + duration : Infinity;
}

/**
 * The bookkeeping every policy needs (queue in order, running jobs with their
 * expected ends); a policy extends it and writes schedule(). Optional: a policy
 * may implement SchedPolicy from scratch.
 */
export abstract class PolicyBase implements SchedPolicy {
  abstract readonly name: string;
  protected pending: PendingJob[] = [];
  protected readonly running = new Map<string, RunningJob>();
  /** node selection order (option select=low|high) */
  protected readonly order: NodeOrder;

  constructor(opts: PolicyOptions) {
    const sel = opts.get('select') ?? 'low';
    if (sel !== 'low' && sel !== 'high') throw new Error(`select must be low or high, not "${sel}"`);
    this.order = sel;
  }

  hello(job: RunningJob): void {
    this.running.set(String(job.id), job);
  }

  enqueue(job: PendingJob): void {
    // binary insertion: after every job that goes first (a sort per job would cost O(n) each)
    const q = this.pending;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queueOrder(q[mid]!, job) <= 0) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, job);
  }

  cancel(id: JobId): boolean {
    const n = this.pending.length;
    this.pending = this.pending.filter((j) => String(j.id) !== String(id));
    return this.pending.length !== n;
  }

  free(id: JobId): void {
    this.running.delete(String(id));
  }

  expiration(id: JobId, end: number): void {
    const j = this.running.get(String(id));
    if (j) j.end = end;
  }

  prioritize(updates: ReadonlyArray<readonly [JobId, number]>): void {
    const m = new Map(updates.map(([id, p]) => [String(id), p]));
    for (const j of this.pending) {
      const p = m.get(String(j.id));
      if (p !== undefined) j.priority = p;
    }
    this.pending.sort(queueOrder);
  }

  queue(): readonly PendingJob[] {
    return this.pending;
  }

  /** Record an allocation decided now: the job leaves the queue and runs until its expected end. */
  protected started(job: PendingJob, R: Rv1, pool: ResourcePool, now: number): Decision {
    pool.take(R);
    this.running.set(String(job.id), { id: job.id, R, end: expectedEnd(now, job.request.duration) });
    // jobs mostly start from the head of the queue
    if (this.pending[0] === job) this.pending.shift();
    else {
      const i = this.pending.indexOf(job);
      if (i >= 0) this.pending.splice(i, 1);
    }
    return { type: 'alloc', id: job.id, R };
  }

  abstract schedule(pool: ResourcePool, now: number): Decision[];
}
