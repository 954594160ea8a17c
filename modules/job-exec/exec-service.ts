/**
 * Rank 0 of job-exec: the requests job-manager and attach send (`start`, `kill`,
 * `stdin`, `output-watch`, `list`) and the `job-exception` event, dispatched to
 * the ExecJob of each running job.
 */
import {
  Errno,
  FluxError,
  NO_RESPONSE,
  einval,
  type Handle,
  type Message,
} from '../../kernel/api';
import { ExecJob } from './exec-job';
import { kvsState, type OutputLog } from './output-log';
import type { Jobspec, R } from './taskmap';

/** finished jobs whose output stays servable when there is no kvs */
const KEEP_FINISHED = 200;

export class ExecService {
  private readonly jobs = new Map<number, ExecJob>();
  private readonly finished = new Map<number, OutputLog>();

  constructor(private readonly h: Handle) {}

  start(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as { id?: number; R?: R; jobspec?: Jobspec };
    if (typeof p?.id !== 'number' || !p.R?.execution || !p.jobspec?.tasks) throw einval('job-exec.start: malformed request');
    if (this.jobs.has(p.id)) throw new FluxError(Errno.EEXIST, `job ${p.id} is already running`);
    const job = new ExecJob(this.h, p.id, msg, p.R, p.jobspec, (j) => this.done(j));
    this.jobs.set(p.id, job);
    job.start();
    return NO_RESPONSE;
  }

  private done(j: ExecJob): void {
    this.jobs.delete(j.id);
    if (kvsState.available) return;
    this.finished.set(j.id, j.output);
    if (this.finished.size > KEEP_FINISHED) this.finished.delete(this.finished.keys().next().value!);
  }

  kill(msg: Message): unknown {
    const p = msg.payload as { id: number; signum?: number };
    const job = this.jobs.get(p?.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.kill(p.signum ?? 15);
    return {};
  }

  stdin(msg: Message): unknown {
    const p = msg.payload as { id: number; data?: string; eof?: boolean; ranks?: string; winsize?: unknown };
    const job = this.jobs.get(p?.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.stdin(p.data, !!p.eof, p.ranks, p.winsize);
    return {};
  }

  outputWatch(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as { id: number };
    const log = this.jobs.get(p?.id)?.output ?? this.finished.get(p?.id);
    if (!log) throw new FluxError(Errno.ENOENT, 'No such job');
    log.watch(msg);
    return NO_RESPONSE;
  }

  pmiExchange(msg: Message): typeof NO_RESPONSE {
    const job = this.jobs.get((msg.payload as { id?: number } | undefined)?.id ?? -1);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.pmi.add(msg);
    return NO_RESPONSE;
  }

  /** `hostpids {id}` -> {tasks: [{rank, host, pid}]} of a running job, in task rank order */
  async hostpids(msg: Message): Promise<unknown> {
    const job = this.jobs.get((msg.payload as { id?: number } | undefined)?.id ?? -1);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    const parts = await Promise.all(
      [...job.shells.values()].map((s) =>
        this.h
          .rpc<{ pids: Array<[number, number]> }>('job-exec.shell-pids', { id: job.id }, { nodeid: s.p.rank })
          .then((r) => r.pids.map(([rank, pid]) => ({ rank, host: s.host, pid }))),
      ),
    );
    return { tasks: parts.flat().sort((a, b) => a.rank - b.rank) };
  }

  list(): unknown {
    return { jobs: [...this.jobs.values()].map((j) => ({ id: j.id, ntasks: j.ntasks, nnodes: j.placements.length })) };
  }

  disconnect(msg: Message): unknown {
    const sender = msg.route[0];
    for (const j of this.jobs.values()) j.output.unwatch((w) => w.route[0] === sender);
    return NO_RESPONSE;
  }

  /** module unload: stop treating ended shell streams as lost ranks */
  shutdown(): void {
    for (const j of this.jobs.values()) j.stopping = true;
  }

  /** job-manager's `job-exception {id, type, severity}`: a fatal one kills the job */
  onJobException(msg: Message): void {
    const p = msg.payload as { id?: number; severity?: number; type?: string };
    if (typeof p?.id !== 'number' || p.severity !== 0) return;
    this.jobs.get(p.id)?.fatalKill(p.type === 'timeout' ? 14 : 15);
  }
}
