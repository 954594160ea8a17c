/**
 * The sched module: RFC 27 plumbing between job-manager and one policy plugin.
 * It keeps the real ResourcePool (from resource.get, kept current by
 * resource.update events), parses jobspecs, answers feasibility, holds the
 * pending sched.alloc requests, runs the policy's pure schedule() and commits
 * and answers its decisions. At load it asks job-manager.sched-hello for the
 * jobs already holding resources (ENOSYS: none), so a policy can be swapped
 * with `flux module reload sched policy=NAME`.
 */
import {
  Errno,
  FluxError,
  MsgFlag,
  NO_RESPONSE,
  einval,
  methods,
  rv1Build,
  rv1Expand,
  idset,
  type BrokerModule,
  type Handle,
  type HandlerTable,
  type Message,
  type Rv1,
} from '../../kernel/api';
import { parseJobspec } from './jobspec';
import type { JobId, PendingJob, SchedPolicy } from './plugin-api';
import { Pool } from './pool';
import { SchedStats, coresOf } from './stats';
import { allocSummary } from './summary';

import type {
  Empty,
  SchedAllocRequest,
  SchedAllocResponse,
  SchedCancelRequest,
  SchedExpirationRequest,
  SchedFeasibilityBatchRequest,
  SchedFeasibilityBatchResponse,
  SchedFeasibilityRequest,
  SchedFreeRequest,
  SchedPrioritizeRequest,
  SchedProtocol,
  SchedResourceStatusResponse,
  SchedStatusResponse,
} from '../../lib/protocol/sched';
import type { ResourceUpdateEvent } from '../../lib/protocol/resource';
import { monoMs } from '../../lib/clock';
import { eventTime } from '../../lib/event-time';
import { errorFields } from '../../lib/errors';
import { ownerEvent } from '../../lib/owner-event';

/** handler entries checked against modules/sched/protocol.avsc */
const method = methods<SchedProtocol>();

/** An R a request carries, when it is RFC 20 R version 1 (what the pool can take back). */
function isRv1(R: unknown): R is Rv1 {
  const r = R as { version?: unknown; execution?: { R_lite?: unknown } } | null;
  return typeof r === 'object' && r !== null && r.version === 1 && Array.isArray(r.execution?.R_lite);
}

/** A job's expiration, at most the instance's (0: none): a job of an instance that is a job ends with it. */
function capped(expiration: number, instance: number): number {
  if (instance <= 0) return expiration;
  return expiration === 0 || expiration > instance ? instance : expiration;
}

export class SchedModule implements BrokerModule {
  readonly handlers: HandlerTable;
  readonly services = ['feasibility'];
  private pool = new Pool([]);
  /** the instance's own expiration (R's: the enclosing job's, for an instance that is one), 0: none */
  private instanceExpiration = 0;
  /** pending alloc requests by id, with the reason it waits for down ranks (if so) */
  private readonly waiting = new Map<string, { msg: Message; job: PendingJob; reason?: string }>();
  /** R of running jobs by id */
  private readonly running = new Map<string, { id: JobId; R: Rv1 }>();
  private passQueued = false;
  /** passes, their time, allocations and allocated core-seconds (sched.stats, the bench) */
  private readonly stats = new SchedStats();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly h: Handle,
    private policy: SchedPolicy,
    /** the policy a new config asks for (flux config load/reload); throws naming the key */
    private readonly rebuild?: (config: Readonly<Record<string, unknown>>) => SchedPolicy,
  ) {
    this.handlers = [
      method('alloc', (req, m) => this.alloc(req, m)),
      method('free', (req) => this.free(req)),
      method('cancel', (req) => this.cancel(req)),
      method('prioritize', (req) => this.prioritize(req)),
      method('expiration', (req, m) => this.expiration(req, m)),
      method('feasibility', (req) => this.feasibility(req), { ownerOnly: false }),
      method('feasibility.check', (req) => this.feasibility(req), { ownerOnly: false, absolute: true }),
      // the same for the jobs job-ingest took in one loop turn (a bulk submission)
      method('feasibility-batch', (req) => this.feasibilityBatch(req), { ownerOnly: false }),
      method('resource-status', () => this.resourceStatus(), { ownerOnly: false }),
      method('status', () => this.status(), { ownerOnly: false }),
      method('stats', () => this.stats.report(this.pool.totalCores()), { ownerOnly: false }),
    ];
  }

  async start(): Promise<void> {
    // the resource module's (the owner's): a guest's is ignored
    this.unsubscribe = this.h.subscribe('resource.update', ownerEvent(this.h, (_m, ev) => this.onUpdate(ev)));
    try {
      // with the ranks that are down already (offline, drained, excluded): resource.update only tells of changes
      const r = await this.h.rpc<{ R: Rv1; down: string; drained?: string }>('resource.get', { down: true }, { nodeid: 0, timeoutMs: 10_000 });
      this.pool = Pool.fromR(r.R, idset.decode(r.down ?? ''), idset.decode(r.drained ?? ''));
      this.instanceExpiration = r.R.execution.expiration ?? 0;
    } catch (e) {
      this.h.log('err', `resource.get: ${(e as Error).message}; starting with no resources`);
    }
    await this.hello();
    this.h.log('info', `ready: policy=${this.policy.name} ${this.describePool()}`);
    void this.h.rpc('job-manager.sched-ready', { mode: 'unlimited' }).catch(() => {});
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /**
   * A new [sched] table: its policy is created now (a bad one refuses the
   * config: `sched.KEY: ...`), and takes over once every module accepted.
   */
  configReload(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): (() => void) | undefined {
    if (JSON.stringify(next['sched']) === JSON.stringify(prev['sched'])) return undefined;
    if (!this.rebuild) throw einval('sched: this scheduler cannot change its policy on a running instance');
    let policy: SchedPolicy;
    try {
      policy = this.rebuild(next);
    } catch (e) {
      const m = (e as Error).message;
      throw new FluxError(e instanceof FluxError ? e.errno : Errno.EINVAL, m.startsWith('sched.') ? m : `sched.policy: ${m}`);
    }
    return () => this.swapPolicy(policy);
  }

  /** The new policy learns the running jobs and the queue (in the old policy's order), then decides. */
  private swapPolicy(policy: SchedPolicy): void {
    const old = this.policy;
    this.policy = policy;
    for (const j of this.running.values()) {
      const exp = j.R.execution?.expiration ?? 0;
      policy.hello({ id: j.id, R: j.R, end: exp > 0 ? exp : Infinity });
    }
    for (const j of old.queue()) policy.enqueue(j);
    this.h.log('info', `config reload: policy=${policy.name} (was ${old.name})`);
    this.scheduleSoon();
  }

  private describePool(): string {
    return `ranks ${idset.encode(this.pool.ranks)}`;
  }

  /** Replay jobs that already hold resources (from job-manager). */
  private async hello(): Promise<void> {
    let jobs: Array<{ id: JobId; R: Rv1 }> = [];
    try {
      const r = await this.h.rpc<{ jobs?: Array<{ id: JobId; R: Rv1 }> }>('job-manager.sched-hello', {}, { timeoutMs: 10_000 });
      jobs = r.jobs ?? [];
    } catch (e) {
      if (!(e instanceof FluxError && e.errno === Errno.ENOSYS)) {
        this.h.log('err', `job-manager.sched-hello: ${(e as Error).message}`);
      }
    }
    for (const j of jobs) {
      this.running.set(String(j.id), j);
      this.pool.take(j.R);
      this.stats.cores(coresOf(j.R));
      const exp = j.R.execution?.expiration ?? 0;
      this.policy.hello({ id: j.id, R: j.R, end: exp > 0 ? exp : Infinity });
    }
  }

  /** `resource.update` (checked against its schema: modules/resource/protocol.avsc) */
  private onUpdate(p: ResourceUpdateEvent): void {
    if (!isRv1(p.R)) return;
    const pool = Pool.fromR(p.R, idset.decode(p.down), idset.decode(p.drained ?? ''));
    this.instanceExpiration = p.R.execution.expiration ?? 0;
    for (const j of this.running.values()) pool.take(j.R);
    this.pool = pool;
    for (const w of this.waiting.values()) this.explain(w);
    this.scheduleSoon();
  }

  /**
   * Tell job-manager (an RFC 27 annotate response, sched.reason_pending) when a
   * waiting job cannot start until down ranks come back, and when that ends.
   */
  private explain(w: { msg: Message; job: PendingJob; reason?: string }): void {
    const reason = this.pool.waitsForDown(w.job.request);
    if (reason === w.reason) return;
    w.reason = reason;
    if (w.msg.flags & MsgFlag.Streaming) {
      this.h.respond(w.msg, { id: w.job.id, type: 'annotate', annotations: { sched: { reason_pending: reason ?? null } } });
    }
  }

  private alloc(p: SchedAllocRequest, msg: Message): SchedAllocResponse | typeof NO_RESPONSE {
    let job: PendingJob;
    try {
      job = {
        id: p.id,
        priority: p.priority ?? 16,
        userid: p.userid ?? 0,
        t_submit: p.t_submit ?? 0,
        request: parseJobspec(p.jobspec),
      };
    } catch (e) {
      return { id: p.id, type: 'deny', note: (e as Error).message };
    }
    const why = this.pool.infeasible(job.request);
    if (why) return { id: p.id, type: 'deny', note: why };
    if (this.waiting.has(String(p.id))) throw new FluxError(Errno.EEXIST, `job ${String(p.id)} is already waiting`);
    const w = { msg, job };
    this.waiting.set(String(p.id), w);
    this.explain(w);
    this.policy.enqueue(job);
    this.scheduleSoon();
    return NO_RESPONSE;
  }

  private free(p: SchedFreeRequest): Empty {
    const key = String(p.id);
    const held = this.running.get(key);
    if (!held && p.R !== undefined && !isRv1(p.R)) throw new FluxError(Errno.EPROTO, 'sched.free: malformed request: R: expected RFC 20 R version 1');
    // a partial free (housekeeping ended on some of the job's ranks): those ranks go back, the job keeps the rest
    if (held && p.final === false && isRv1(p.R)) {
      this.freePart(held, p.R);
      return {};
    }
    const R = held?.R ?? (isRv1(p.R) ? p.R : undefined);
    if (R) {
      this.pool.give(R);
      if (held) this.stats.cores(-coresOf(R));
    }
    this.running.delete(key);
    this.policy.free(p.id);
    this.scheduleSoon();
    return {};
  }

  private freePart(held: { id: JobId; R: Rv1 }, part: Rv1): void {
    const ranks = new Set(rv1Expand(part).map((r) => r.rank));
    const all = rv1Expand(held.R);
    const given = all.filter((r) => ranks.has(r.rank));
    if (given.length === 0) return;
    const opts = { starttime: held.R.execution.starttime, expiration: held.R.execution.expiration };
    const R = rv1Build(given, opts);
    this.pool.give(R);
    this.stats.cores(-coresOf(R));
    held.R = rv1Build(all.filter((r) => !ranks.has(r.rank)), opts);
    this.scheduleSoon();
  }

  /** job-manager.update moved a running job's expiration (0: none): the policy plans with the new end. */
  private expiration(p: SchedExpirationRequest, msg: Message): Empty {
    const exp = p.expiration;
    if (!Number.isFinite(exp) || exp < 0) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: expiration: expected a number >= 0, got ${exp}`);
    const held = this.running.get(String(p.id));
    if (!held) throw new FluxError(Errno.ENOENT, `sched.expiration: job ${String(p.id)} holds no resources`);
    held.R = { ...held.R, execution: { ...held.R.execution, expiration: exp } };
    const end = exp > 0 ? exp : Infinity;
    if (this.policy.expiration) this.policy.expiration(held.id, end);
    else this.policy.hello({ id: held.id, R: held.R, end });
    this.scheduleSoon();
    return {};
  }

  private cancel(p: SchedCancelRequest): Empty {
    const w = this.waiting.get(String(p.id));
    if (w) {
      this.policy.cancel(p.id);
      this.waiting.delete(String(p.id));
      this.h.respond(w.msg, { id: w.job.id, type: 'cancel' });
      this.scheduleSoon();
    }
    return {};
  }

  private prioritize(p: SchedPrioritizeRequest): Empty {
    // each entry is [id, priority]; what is not is no priority to give
    const updates: Array<readonly [JobId, number]> = [];
    for (const [id, prio] of p.jobs ?? []) if (id !== undefined && typeof prio === 'number') updates.push([id, prio]);
    this.policy.prioritize?.(updates);
    this.scheduleSoon();
    return {};
  }

  private feasibility(p: SchedFeasibilityRequest): Empty {
    const req = parseJobspec(p.jobspec);
    const why = this.pool.infeasible(req);
    if (why) throw einval(why);
    return {};
  }

  private feasibilityBatch(p: SchedFeasibilityBatchRequest): SchedFeasibilityBatchResponse {
    return {
      results: p.jobspecs.map((jobspec) => {
        try {
          this.feasibility({ jobspec });
          return { errnum: 0 };
        } catch (e) {
          return errorFields(e);
        }
      }),
    };
  }

  private resourceStatus(): SchedResourceStatusResponse {
    return { allocated: rv1Build(this.pool.allocated()) };
  }

  private status(): SchedStatusResponse {
    return {
      policy: this.policy.name,
      pending: this.policy.queue().map((j) => j.id),
      running: [...this.running.values()].map((j) => j.id),
    };
  }

  private scheduleSoon(): void {
    if (this.passQueued) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      this.pass();
    });
  }

  /** One scheduling pass: the policy decides on a scratch pool, we commit and answer. */
  private pass(): void {
    const t0 = monoMs();
    try {
      this.decide();
    } finally {
      this.stats.pass(monoMs() - t0);
    }
  }

  private decide(): void {
    // an allocation's starttime to the microsecond, as Flux's (a flux update expiration shows it)
    const now = eventTime();
    let decisions;
    const t0 = monoMs();
    try {
      decisions = this.policy.schedule(this.pool.clone(), now);
      this.stats.policy(monoMs() - t0);
    } catch (e) {
      this.h.log('err', `policy ${this.policy.name}: schedule failed: ${(e as Error).stack ?? String(e)}`);
      return;
    }
    for (const d of decisions) {
      const w = this.waiting.get(String(d.id));
      if (!w) continue;
      if (d.type === 'alloc') {
        const dur = w.job.request.duration;
        const R: Rv1 = {
          ...d.R,
          execution: { ...d.R.execution, starttime: now, expiration: capped(dur > 0 ? now + dur : 0, this.instanceExpiration) },
        };
        this.pool.take(R);
        this.running.set(String(d.id), { id: d.id, R });
        this.waiting.delete(String(d.id));
        this.stats.alloc(coresOf(R));
        const annotations = { sched: { resource_summary: allocSummary(R) } };
        this.h.respond(w.msg, { id: w.job.id, type: 'success', R, annotations });
      } else if (d.type === 'deny') {
        this.waiting.delete(String(d.id));
        this.h.respond(w.msg, { id: w.job.id, type: 'deny', note: d.note });
      } else if (w.msg.flags & MsgFlag.Streaming) {
        this.h.respond(w.msg, { id: w.job.id, type: 'annotate', annotations: d.annotations });
      }
    }
  }
}
