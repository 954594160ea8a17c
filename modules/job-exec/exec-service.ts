/**
 * Rank 0 of job-exec: the requests job-manager and attach send (`start`, `kill`,
 * `stdin`, `output-read`, `list`) and the `job-exception` and
 * `job-purge-inactive` events, dispatched to the ExecJob of each running job.
 * It keeps the output log of every job it ran until the job is purged: their
 * files live in `<rundir>/job-output/`, made empty at load and removed at
 * unload (the instance's end).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Errno,
  FluxError,
  NO_RESPONSE,
  einval,
  type Handle,
  type Message,
} from '../../kernel/api';
import { ExecJob } from './exec-job';
import type { OutputLog } from './output-log';
import type { Jobspec, R } from './taskmap';

export class ExecService {
  private readonly jobs = new Map<number, ExecJob>();
  /** the output log of every job run here and not purged */
  private readonly logs = new Map<number, OutputLog>();
  /** `<rundir>/job-output` */
  readonly outputDir: string;
  /** the directory is there (emptied of what an earlier job-exec left) */
  private readonly dirReady: Promise<void>;

  constructor(private readonly h: Handle) {
    this.outputDir = path.join(h.getattr('rundir') ?? path.join('/tmp', `flux-job-exec-${process.pid}`), 'job-output');
    const dir = this.outputDir;
    this.dirReady = fs.promises
      .rm(dir, { recursive: true, force: true })
      .then(() => fs.promises.mkdir(dir, { recursive: true, mode: 0o700 }))
      .then(
        () => undefined,
        (e: Error) => this.h.log('err', `${dir}: ${e.message}`),
      );
  }

  start(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as { id?: number; R?: R; jobspec?: Jobspec };
    if (typeof p?.id !== 'number' || !p.R?.execution || !p.jobspec?.tasks) throw einval('job-exec.start: malformed request');
    if (this.jobs.has(p.id)) throw new FluxError(Errno.EEXIST, `job ${p.id} is already running`);
    const job = new ExecJob(this.h, p.id, msg, p.R, p.jobspec, this.outputDir, (j) => this.jobs.delete(j.id));
    this.jobs.set(p.id, job);
    this.logs.get(p.id)?.remove();
    this.logs.set(p.id, job.output);
    void this.dirReady.then(() => job.start());
    return NO_RESPONSE;
  }

  kill(msg: Message): unknown {
    const p = msg.payload as { id: number; signum?: number };
    const job = this.jobs.get(p?.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.kill(p.signum ?? 15);
    return {};
  }

  async stdin(msg: Message): Promise<unknown> {
    const p = msg.payload as { id: number; data?: string; eof?: boolean; ranks?: string; winsize?: unknown };
    const job = this.jobs.get(p?.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    await job.stdin(p.data, !!p.eof, p.ranks, p.winsize);
    return {};
  }

  /**
   * `output-read {id, offset?, wait?, direct?}` -> `{log, offset, eof}`: the
   * job's output log from offset, at most 1 MiB of complete RFC 18 lines; with
   * wait, a read at the end waits for more output or the job's end (eof). With
   * direct, no lines but `{path, dev, ino, size}`: the reader reads the file
   * itself up to size. ENOENT for a job not run by this job-exec (or purged).
   */
  outputRead(msg: Message): typeof NO_RESPONSE {
    const p = msg.payload as { id?: unknown; offset?: unknown; wait?: unknown; direct?: unknown } | undefined;
    if (typeof p?.id !== 'number') throw einval('output-read: id must be a number');
    const offset = p.offset ?? 0;
    if (typeof offset !== 'number') throw einval('output-read: offset must be a number');
    const log = this.logs.get(p.id);
    if (!log) throw new FluxError(Errno.ENOENT, 'No such job');
    log.read(msg, offset, p.wait === true, p.direct === true);
    return NO_RESPONSE;
  }

  /**
   * `output-size {id}` -> `{size, complete}`: how far the job's output log goes
   * now (attach prints an exception once it has read that far: after the output
   * written before it)
   */
  outputSize(msg: Message): unknown {
    const id = (msg.payload as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'number') throw einval('output-size: id must be a number');
    const log = this.logs.get(id);
    if (!log) throw new FluxError(Errno.ENOENT, 'No such job');
    return log.sizeNow();
  }

  /** `job-purge-inactive {jobs}` (job-manager): those jobs' output logs go */
  onPurge(msg: Message): void {
    const jobs = (msg.payload as { jobs?: unknown } | undefined)?.jobs;
    if (!Array.isArray(jobs)) return;
    for (const id of jobs) {
      const log = typeof id === 'number' && !this.jobs.has(id) ? this.logs.get(id) : undefined;
      if (!log) continue;
      this.logs.delete(id as number);
      void log.remove();
    }
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
    for (const log of this.logs.values()) log.unwatch((w) => w.route[0] === sender);
    return NO_RESPONSE;
  }

  /** module unload: stop treating ended shell streams as lost ranks */
  shutdown(): void {
    for (const j of this.jobs.values()) j.stopping = true;
  }

  /** module unload: the output logs go (they live as long as job-exec) */
  async removeLogs(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map((l) => l.remove()));
    await fs.promises.rm(this.outputDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** job-manager's `job-exception {id, type, severity}`: a fatal one kills the job */
  onJobException(msg: Message): void {
    const p = msg.payload as { id?: number; severity?: number; type?: string };
    if (typeof p?.id !== 'number' || p.severity !== 0) return;
    this.jobs.get(p.id)?.fatalKill(p.type === 'timeout' ? 14 : 15);
  }
}
