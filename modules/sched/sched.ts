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
  request,
  rv1Build,
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

interface AllocPayload {
  id: JobId;
  priority?: number;
  userid?: number;
  t_submit?: number;
  jobspec: unknown;
}

export class SchedModule implements BrokerModule {
  readonly handlers: HandlerTable;
  readonly services = ['feasibility'];
  private pool = new Pool([]);
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
      request('alloc', (m) => this.alloc(m)),
      request('free', (m) => this.free(m)),
      request('cancel', (m) => this.cancel(m)),
      request('prioritize', (m) => this.prioritize(m)),
      request('expiration', (m) => this.expiration(m)),
      request('feasibility', (m) => this.feasibility(m), { ownerOnly: false }),
      request('feasibility.check', (m) => this.feasibility(m), { ownerOnly: false, absolute: true }),
      request('resource-status', () => this.resourceStatus(), { ownerOnly: false }),
      request('status', () => this.status(), { ownerOnly: false }),
      request('stats', () => this.stats.report(this.pool.totalCores()), { ownerOnly: false }),
    ];
  }

  async start(): Promise<void> {
    this.unsubscribe = this.h.subscribe('resource.update', (m) => this.onUpdate(m.payload as { R: Rv1; down: string }));
    try {
      // with the ranks that are down already (offline, drained, excluded): resource.update only tells of changes
      const r = await this.h.rpc<{ R: Rv1; down: string }>('resource.get', { down: true }, { nodeid: 0, timeoutMs: 10_000 });
      this.pool = Pool.fromR(r.R, idset.decode(r.down ?? ''));
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

  private onUpdate(p: { R: Rv1; down: string }): void {
    if (!p?.R) return;
    const pool = Pool.fromR(p.R, idset.decode(p.down ?? ''));
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

  private alloc(msg: Message): unknown {
    const p = msg.payload as AllocPayload;
    if (p?.id === undefined) throw new FluxError(Errno.EPROTO, 'sched.alloc: malformed request: id is required');
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

  private free(msg: Message): unknown {
    const p = msg.payload as { id: JobId; R?: Rv1 };
    const key = String(p?.id);
    const held = this.running.get(key);
    const R = held?.R ?? p?.R;
    if (R) {
      this.pool.give(R);
      if (held) this.stats.cores(-coresOf(R));
    }
    this.running.delete(key);
    this.policy.free(p.id);
    this.scheduleSoon();
    return {};
  }

  /** job-manager.update moved a running job's expiration (0: none): the policy plans with the new end. */
  private expiration(msg: Message): unknown {
    const p = msg.payload as { id?: unknown; expiration?: unknown } | undefined;
    const exp = p?.expiration;
    if ((typeof p?.id !== 'number' && typeof p?.id !== 'string') || typeof exp !== 'number' || !Number.isFinite(exp) || exp < 0) {
      throw new FluxError(Errno.EPROTO, 'sched.expiration: malformed request: id and expiration (number >= 0) are required');
    }
    const held = this.running.get(String(p.id));
    if (!held) throw new FluxError(Errno.ENOENT, `sched.expiration: job ${String(p.id)} holds no resources`);
    held.R = { ...held.R, execution: { ...held.R.execution, expiration: exp } };
    const end = exp > 0 ? exp : Infinity;
    if (this.policy.expiration) this.policy.expiration(held.id, end);
    else this.policy.hello({ id: held.id, R: held.R, end });
    this.scheduleSoon();
    return {};
  }

  private cancel(msg: Message): unknown {
    const p = msg.payload as { id: JobId };
    const w = this.waiting.get(String(p?.id));
    if (w) {
      this.policy.cancel(p.id);
      this.waiting.delete(String(p.id));
      this.h.respond(w.msg, { id: w.job.id, type: 'cancel' });
      this.scheduleSoon();
    }
    return {};
  }

  private prioritize(msg: Message): unknown {
    const p = msg.payload as { jobs?: Array<[JobId, number]> };
    this.policy.prioritize?.(p?.jobs ?? []);
    this.scheduleSoon();
    return {};
  }

  private feasibility(msg: Message): unknown {
    const p = msg.payload as { jobspec?: unknown };
    const req = parseJobspec(p?.jobspec);
    const why = this.pool.infeasible(req);
    if (why) throw einval(why);
    return {};
  }

  private resourceStatus(): unknown {
    return { allocated: rv1Build(this.pool.allocated()) };
  }

  private status(): unknown {
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
    const t0 = performance.now();
    try {
      this.decide();
    } finally {
      this.stats.pass(performance.now() - t0);
    }
  }

  private decide(): void {
    const now = Date.now() / 1000;
    let decisions;
    const t0 = performance.now();
    try {
      decisions = this.policy.schedule(this.pool.clone(), now);
      this.stats.policy(performance.now() - t0);
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
          execution: { ...d.R.execution, starttime: now, expiration: dur > 0 ? now + dur : 0 },
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
