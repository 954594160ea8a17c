/**
 * job-ingest: `job-ingest.submit {jobspec, urgency?, flags?}` -> `{id}`.
 * Validates the jobspec (V1 rules, known shell options, urgency range), checks
 * feasibility with the scheduler (`sched.feasibility`; ENOSYS = skip), assigns a
 * FLUID and hands the job to the job manager. The jobs that arrive in one loop
 * turn (a bulk submission) are validated, checked and handed over together:
 * one request to each service a turn (batch.ts). A signed jobspec (J, from a
 * guest's client: lib/signed-jobspec.ts) must be the jobspec, signed by its
 * submitter for this instance; its signature is the IMP's to verify. A
 * guest's job that could not run is refused here (guest.ts).
 */
import { Errno, FluxError, IConfig, IHandle, defineModule, einval, inject, injectable, methods, type BrokerModule, type ConfigApply, type Handle, type HandlerTable, type Message } from '../../kernel/api';
import { jobIngestProtocol, type JobIngestProtocol, type JobIngestSubmitRequest, type JobIngestSubmitResponse } from '../../lib/protocol/job-ingest';
import { FluidGenerator } from '../../lib/formats';
import { validateJobspec } from './validate';
import { eventTime } from '../../lib/event-time';
import { parseJ } from '../../lib/signed-jobspec';
import { TurnBatch, TurnQueue } from './batch';
import type { JobManagerSubmitJob, JobManagerValidateBatchResponse } from '../../lib/protocol/job-manager';
import type { SchedFeasibilityBatchResponse } from '../../lib/protocol/sched';
import { OWNER_UID } from '../../lib/owner-uid';
import { impPath } from '../../lib/config/imp';
import { guestRefusal } from './guest';
import { taskCountRefusal } from './task-count';
import { ingestConfig, ingestConfigSchema, type IngestConfig } from './config';
import { requireInstanceRefusal } from './require-instance';

type Obj = Record<string, unknown>;

const FLAGS_ALL = 2 | 4 | 8;

/** why another service refused a job, as the submitter is told (EINVAL when it gave no errno) */
const refusal = (errno: number, message: string | undefined): FluxError => new FluxError(errno || Errno.EINVAL, message);

/** handler entries checked against modules/job-ingest/protocol.avsc */
const method = methods<JobIngestProtocol>();

/** Epoch seconds with microseconds. */
function now(): number {
  return eventTime();
}

/** The service: submit, getinfo, feasibility-disable. */
@injectable()
export class JobIngest implements BrokerModule {
  private gen: FluidGenerator;
  private feasibility = true;
  readonly handlers: HandlerTable = [
    method('submit', (p, msg) => this.submit(p, msg), { ownerOnly: false }),
    method('getinfo', () => ({ generator: this.h.rank })),
    method('feasibility-disable', (p) => {
      this.feasibility = p.enable === true;
      return {};
    }),
  ];

  /** the jobs accepted this turn, handed to the job manager together */
  private readonly toManager = new TurnBatch<JobManagerSubmitJob>((jobs) => this.h.rpc('job-manager.submit', { jobs }));

  /** `[exec] imp`: without it a guest's job cannot run */
  private imp: string | undefined;
  /** `[ingest]`: which frobnicator and validator steps run */
  private ingest: IngestConfig;

  constructor(@inject(IHandle) private readonly h: Handle, @inject(IConfig) config: Readonly<Record<string, unknown>>) {
    this.gen = new FluidGenerator(h.rank);
    this.imp = impPath(config);
    this.ingest = ingestConfig(config);
  }

  configReload(next: Readonly<Record<string, unknown>>): ConfigApply {
    const imp = impPath(next);
    const ingest = ingestConfig(next);
    return () => {
      this.imp = imp;
      this.ingest = ingest;
    };
  }

  async start(): Promise<void> {
    // continue above the largest id the job manager knows (module reload)
    try {
      const r = await this.h.rpc<{ max_jobid?: number }>('job-manager.getinfo', {});
      const max = r.max_jobid ?? 0;
      if (max > 0) this.gen = new FluidGenerator(this.h.rank, Number(BigInt(max) >> 24n) + 1);
    } catch {
      /* no job manager yet: fresh ids */
    }
  }

  /** the scheduler's feasibility check, for the jobs of a turn together */
  private readonly feasible = new TurnQueue<Obj, true>(
    async (jobspecs) => {
      const r = await this.h.rpc<SchedFeasibilityBatchResponse>('sched.feasibility-batch', { jobspecs });
      return r.results.map((x) => (x.errnum === 0 ? true : refusal(x.errnum, x.errstr ?? undefined)));
    },
    (jobspec) => this.ask('sched.feasibility', { jobspec }, () => true as const, true),
  );

  /** job-manager's defaults, queue, limits and queue constraints, for the jobs of a turn together */
  private readonly policy = new TurnQueue<Obj, Obj>(
    async (jobspecs) => {
      const { defaults, constraints } = this.ingest;
      const r = await this.h.rpc<JobManagerValidateBatchResponse>('job-manager.validate-batch', { jobspecs, defaults, constraints });
      return r.results.map((x): Obj | Error => (x.jobspec as Obj | null) ?? refusal(x.errnum ?? 0, x.errstr ?? undefined));
    },
    (jobspec) => this.ask('job-manager.validate', { jobspec, defaults: this.ingest.defaults, constraints: this.ingest.constraints }, (r) => (r as { jobspec: Obj }).jobspec, jobspec),
  );

  /**
   * One job's question to another service: what `answer` makes of its reply,
   * `missing` when the service has no such method (ENOSYS: no scheduler, no
   * policy), and any other error refuses the job.
   */
  private async ask<T>(topic: string, payload: object, answer: (reply: unknown) => T, missing: T): Promise<T> {
    try {
      return answer(await this.h.rpc(topic, payload));
    } catch (e) {
      const fe = e as FluxError;
      if (fe.errno === Errno.ENOSYS) return missing;
      throw refusal(fe.errno, fe.message);
    }
  }

  private async checkFeasible(jobspec: Obj): Promise<void> {
    if (this.feasibility && this.ingest.feasibility) await this.feasible.add(jobspec);
  }

  private applyPolicy(jobspec: Obj): Promise<Obj> {
    return this.policy.add(jobspec);
  }

  /** J's header names this submitter and this instance, and its payload is the jobspec */
  private checkSigned(J: string, jobspec: unknown, userid: number): void {
    let parsed;
    try {
      parsed = parseJ(J);
    } catch (e) {
      throw einval((e as Error).message);
    }
    const { header } = parsed;
    if (header.userid !== userid) throw new FluxError(Errno.EPERM, `signed jobspec: signed by uid ${header.userid}, submitted by uid ${userid}`);
    if (header.owner !== OWNER_UID || header.instance !== this.h.getattr('broker.uuid')) {
      throw new FluxError(Errno.EPERM, 'signed jobspec: signed for another instance');
    }
    if (JSON.stringify(parsed.jobspec) !== JSON.stringify(jobspec)) throw einval('signed jobspec: its payload is not the jobspec submitted');
  }

  private async submit(p: JobIngestSubmitRequest, msg: Message): Promise<JobIngestSubmitResponse> {
    const jobspec = p.jobspec;
    validateJobspec(jobspec);
    // more tasks on a node than its broker could start: refused before anything loops over them
    const tooMany = taskCountRefusal(jobspec, Number(this.h.getattr('size') ?? 1));
    if (tooMany !== undefined) throw einval(tooMany);
    const min = this.ingest.requireInstance;
    const notInstance = min === undefined ? undefined : requireInstanceRefusal(jobspec, min);
    if (notInstance !== undefined) throw einval(notInstance);
    const J = p.J ?? undefined;
    const urgency = p.urgency ?? 16;
    if (urgency < 0 || urgency > 31) throw einval('urgency range is [0:31]');
    const flags = p.flags ?? 0;
    if ((flags & ~FLAGS_ALL) !== 0) throw einval(`invalid submit flags ${JSON.stringify(flags)}`);
    if (msg.userid !== OWNER_UID) {
      const no = guestRefusal(msg.userid, flags, J !== undefined, this.imp);
      if (no !== undefined) throw new FluxError(Errno.EPERM, no);
    }
    if (J !== undefined) this.checkSigned(J, jobspec, msg.userid);
    // queue, defaults, limits and the queue's constraint (job-manager owns [queues] and [policy])
    const ready = await this.applyPolicy(jobspec);
    await this.checkFeasible(ready);
    const id = Number(this.gen.next());
    const t_submit = now();
    await this.toManager.add({ id, userid: msg.userid, urgency, t_submit, flags, jobspec: ready, J });
    return { id };
  }
}

export default defineModule({
  noArgs: true,
  name: 'job-ingest',
  description: 'Validate jobspecs, assign job ids, hand jobs to the job manager',
  ranks: 'leader',
  protocol: jobIngestProtocol,
  config: ingestConfigSchema,
  module: JobIngest,
});
