/**
 * Rank 0 of job-exec: the requests job-manager and attach send (`start`, `kill`,
 * `stdin`, `output-read`, `list`) and the `job-exception` and
 * `job-purge-inactive` events, dispatched to the ExecJob of each running job.
 * The output log of every job stays until the job is purged (in memory while
 * the job runs, then read again for each reader from its kvs copy when that
 * is all of it, else from its file): the files live in
 * `<statedir>/job-output/` (persistent state: a restarted instance serves
 * the logs of earlier runs' jobs from there and from the kvs), or without a
 * statedir in `<rundir>/job-output/`, made empty at load and removed at unload.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Errno,
  FluxError,
  NO_RESPONSE,
  idset,
  einval,
  type Handle,
  type Message,
} from '../../kernel/api';
import { encodeF58, encodeKvs } from '../../lib/formats';
import { ExecJob } from './exec-job';
import type { StackEntry } from './plugins';
import { OutputLog } from './output-log';
import { JobOwners } from './job-owners';
import { TestExecJob, testExecPlan, type TestExecPlan } from './test-exec';
import type { Jobspec, R } from './taskmap';
import type {
  Empty,
  JobExecExpirationRequest,
  JobExecHostpidsRequest,
  JobExecHostpidsResponse,
  JobExecKillRequest,
  JobExecListResponse,
  JobExecOutputReadRequest,
  JobExecOutputSizeRequest,
  JobExecOutputSizeResponse,
  JobExecPmiExchangeRequest,
  JobExecStartRequest,
  JobExecStdinRequest,
  JobExecStdinResponse,
} from '../../lib/protocol/job-exec';
import type { JobExceptionEvent, JobPurgeInactiveEvent } from '../../lib/protocol/job-manager';
import { OWNER_UID } from '../../lib/owner-uid';
import { DEFAULT_EXEC, type ExecSettings } from './config';
import { effectiveMaxKillSeconds } from '../../lib/config/exec-settings';
import { signalName } from '../../lib/strsignal';

/** R as job-exec needs it: RFC 20 with execution.R_lite */
function isExecR(R: object): R is R {
  const e = (R as { execution?: { R_lite?: unknown } }).execution;
  return typeof e === 'object' && e !== null && Array.isArray(e.R_lite);
}

/** a jobspec with its tasks */
function isExecJobspec(js: object): js is Jobspec {
  return Array.isArray((js as { tasks?: unknown }).tasks);
}

export class ExecService {
  private readonly jobs = new Map<number, ExecJob | TestExecJob>();
  /**
   * the output log of every job running here, and of an ended one until it
   * settles (closed, all of it in its file, no read waiting): a settled log
   * is read from its file again (adopt), so an inactive job costs nothing here
   */
  private readonly logs = new Map<number, OutputLog>();
  /** `<statedir>/job-output` (or `<rundir>/job-output`) */
  readonly outputDir: string;
  /** in the statedir: the files outlive this job-exec */
  private readonly persistent: boolean;
  /** the output logs go with this run of the instance: small ones are held in memory while their job runs */
  /** the directory is there (emptied of what an earlier job-exec left, outside a statedir) */
  private readonly dirReady: Promise<void>;

  /** who submitted each job: a guest may act on its own (job-owners.ts) */
  readonly owners: JobOwners;

  /** the instance owner: the uid jobs run as */
  private readonly owner = OWNER_UID;

  constructor(
    private readonly h: Handle,
    /** the site's shell plugin files (`[exec] shell-plugins`), as the config has them now */
    private readonly sitePlugins: () => readonly string[] = () => [],
    /** `[exec] imp` (flux-imp(8)) as the config has it now */
    private readonly imp: () => string | undefined = () => undefined,
    /** this broker's IShellPlugins registry as it is now (built-ins and what modules provide) */
    private readonly registered: () => readonly StackEntry[],
    /** the `[exec]` settings as the config has them now */
    private readonly execSettings: () => ExecSettings = () => DEFAULT_EXEC,
  ) {
    this.owners = new JobOwners(h);
    // a statedir kept at exit that the kvs does not use (-Scontent.backing-module=none) keeps no job output either
    const unused = h.getattr('content.backing-module') === 'none' && h.getattr('statedir-cleanup') !== '1';
    const statedir = unused ? undefined : h.getattr('statedir');
    this.persistent = statedir !== undefined;
    // a statedir made for this run only (removed at exit): nothing in it outlives the broker
    this.outputDir = path.join(statedir ?? h.getattr('rundir') ?? path.join('/tmp', `flux-job-exec-${process.pid}`), 'job-output');
    const dir = this.outputDir;
    const emptied = this.persistent ? Promise.resolve() : fs.promises.rm(dir, { recursive: true, force: true });
    this.dirReady = emptied
      .then(() => fs.promises.mkdir(dir, { recursive: true, mode: 0o700 }))
      .then(
        () => undefined,
        (e: Error) => this.h.log('err', `${dir}: ${e.message}`),
      );
  }

  start(p: JobExecStartRequest, msg: Message): typeof NO_RESPONSE {
    const { R, jobspec } = p;
    if (!isExecR(R) || !isExecJobspec(jobspec)) throw einval('job-exec.start: malformed request');
    if (this.jobs.has(p.id)) throw new FluxError(Errno.EEXIST, `job ${p.id} is already running`);
    // A guest's job runs as its submitter through the IMP ([exec] imp,
    // flux-imp(8)); without one it would run with the owner's rights, so it is
    // refused: the job ends with this exception.
    const userid = p.userid;
    if (typeof userid === 'number' && userid !== this.owner && this.imp() === undefined) {
      throw new FluxError(Errno.EPERM, `cannot run a job of uid ${userid} in an instance owned by uid ${this.owner}: running jobs as their submitter needs the IMP ([exec] imp, flux-imp(8))`);
    }
    let plan: TestExecPlan | undefined;
    // a guest's job is simulated only with [exec.testexec] allow-guests; otherwise it runs for real, as Flux's
    const simulated = userid === undefined || userid === this.owner || this.execSettings().testexecAllowGuests;
    try {
      plan = simulated ? testExecPlan(jobspec) : undefined;
    } catch (e) {
      // a malformed system.exec: the job's exception, before anything starts
      this.h.respond(msg, { id: p.id, type: 'exception', data: { type: 'exec', severity: 0, note: (e as Error).message } });
      this.h.respond(msg, { id: p.id, type: 'release', data: { ranks: 'all', final: true } });
      this.h.respondError(msg, Errno.ENODATA);
      return NO_RESPONSE;
    }
    const job = plan
      ? new TestExecJob(this.h, p.id, msg, plan, (j) => this.ended(j.id))
      : new ExecJob(this.h, p.id, msg, R, jobspec, userid ?? this.owner, this.outputDir, (j) => this.ended(j.id), this.sitePlugins(), this.registered(), this.execSettings());
    this.jobs.set(p.id, job);
    this.owners.set(p.id, userid ?? this.owner);
    this.logs.get(p.id)?.remove();
    this.logs.delete(p.id);
    if (job instanceof TestExecJob) {
      // nothing runs, nothing writes: no output log
      job.start();
      return NO_RESPONSE;
    }
    this.logs.set(p.id, job.output);
    // a guest's job runs through the IMP, which needs its signed jobspec (J, when it has one)
    // and its files are written as the guest through rank 0's IMP (user-sink.ts)
    const guest = userid !== undefined && userid !== this.owner;
    const ready = guest
      ? Promise.all([this.dirReady, this.signedJ(p.id)]).then(([, J]) => {
          job.J = J;
          job.imp = this.imp();
        })
      : this.dirReady;
    void ready.then(() => job.start());
    return NO_RESPONSE;
  }

  /**
   * A job ended (its output log is closed): a settled log is not kept (a
   * read adopts its file again), nor who submitted it (the job's eventlog
   * says, job-owners.ts)
   */
  private ended(id: number): void {
    this.jobs.delete(id);
    this.owners.delete(id);
    if (this.logs.get(id)?.settledSize() !== undefined) this.logs.delete(id);
  }

  /** the job's J when it is a signed one (a string), else undefined */
  private signedJ(id: number): Promise<string | undefined> {
    return this.h.rpc<{ value: unknown }>('kvs.get', { key: `${encodeKvs(id)}.J` }).then(
      (r) => (typeof r.value === 'string' ? r.value : undefined),
      () => undefined,
    );
  }

  kill(p: JobExecKillRequest): Empty {
    const job = this.jobs.get(p.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.kill(p.signum ?? this.execSettings().termSignal);
    return {};
  }

  /** flux update moved a running job's expiration (0: none): the backstop timer follows */
  expiration(p: JobExecExpirationRequest): Empty {
    const exp = p.expiration;
    if (!Number.isFinite(exp) || exp < 0) throw new FluxError(Errno.EPROTO, `job-exec.expiration: malformed request: expiration: expected a number >= 0, got ${exp}`);
    const job = this.jobs.get(p.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    job.setExpiration(exp);
    return {};
  }

  async stdin(p: JobExecStdinRequest): Promise<JobExecStdinResponse> {
    const job = this.jobs.get(p.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    const enc = p.encoding ?? undefined;
    if (enc !== undefined && enc !== 'base64') throw new FluxError(Errno.EPROTO, `job-exec.stdin: unknown encoding ${JSON.stringify(enc)} (base64, or none for UTF-8 text)`);
    await job.stdin(p.data ?? undefined, enc, !!p.eof, p.ranks ?? undefined, p.winsize);
    return inJob(p.ranks ?? undefined, job.ntasks);
  }

  /**
   * `output-read {id, offset?, wait?, direct?}` -> `{log, offset, eof}`: the
   * job's output log from offset, at most 1 MiB of complete RFC 18 lines; with
   * wait, a read at the end waits for more output or the job's end (eof). With
   * direct, no lines but `{path, dev, ino, size}`: the reader reads the file
   * itself up to size. ENOENT for a job not run by this job-exec (or purged).
   */
  outputRead(p: JobExecOutputReadRequest, msg: Message): typeof NO_RESPONSE {
    const offset = p.offset ?? 0;
    const log = this.logs.get(p.id);
    const id = p.id;
    if (log) log.read(msg, offset, p.wait === true, p.direct === true);
    else {
      this.adopt(id).then(
        (l) => (l ? l.read(msg, offset, p.wait === true, p.direct === true) : this.h.respondError(msg, Errno.ENOENT, 'No such job')),
        // the kvs's errors name their key; a file's, its directory
        (e: Error) => this.h.respondError(msg, Errno.EIO, e instanceof FluxError ? e.message : `${this.outputDir}: ${e.message}`),
      );
    }
    return NO_RESPONSE;
  }

  /**
   * The output log of an ended job, from its file (a job of this run whose
   * log settled, or one an earlier run left in the statedir) or else its kvs
   * copy, if any: made for this read, not kept.
   */
  private async adopt(id: number): Promise<OutputLog | undefined> {
    const key = `${encodeKvs(id)}.guest.output`;
    // no file: a log its kvs copy holds whole (OutputLog.settleInKvs)
    const log = (await OutputLog.adopt(this.h, id, this.outputDir, key)) ?? (await OutputLog.fromKvs(this.h, id, this.outputDir, key));
    // a job that started meanwhile has its own
    return this.logs.get(id) ?? log;
  }

  /**
   * `output-size {id}` -> `{size, complete}`: how far the job's output log goes
   * now (attach prints an exception once it has read that far: after the output
   * written before it)
   */
  outputSize(p: JobExecOutputSizeRequest): JobExecOutputSizeResponse | Promise<JobExecOutputSizeResponse> {
    const id = p.id;
    const log = this.logs.get(id);
    if (log) return log.sizeNow();
    return this.adopt(id).then((l) => {
      if (!l) throw new FluxError(Errno.ENOENT, 'No such job');
      return l.sizeNow();
    });
  }

  /** `job-purge-inactive {jobs}` (job-manager): those jobs' output logs go */
  /** `job-purge-inactive` (checked against its schema: modules/job-manager/protocol.avsc) */
  onPurge(ev: JobPurgeInactiveEvent): void {
    for (const id of ev.jobs) {
      if (this.jobs.has(id)) continue;
      this.owners.delete(id);
      const log = this.logs.get(id);
      this.logs.delete(id);
      if (log) void log.remove();
      else void fs.promises.rm(path.join(this.outputDir, `${id}.eventlog`), { force: true }).catch(() => undefined);
    }
  }

  pmiExchange(p: JobExecPmiExchangeRequest, msg: Message): typeof NO_RESPONSE {
    const job = this.jobs.get(p.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    if (job instanceof TestExecJob) throw einval('job runs under test execution: it has no tasks');
    job.pmi.add(p, msg);
    return NO_RESPONSE;
  }

  /** `hostpids {id}` -> {tasks: [{rank, host, pid}]} of a running job, in task rank order */
  async hostpids(p: JobExecHostpidsRequest): Promise<JobExecHostpidsResponse> {
    const job = this.jobs.get(p.id);
    if (!job) throw new FluxError(Errno.ENOENT, 'job is not running');
    if (job instanceof TestExecJob) return { tasks: [] };
    const parts = await Promise.all(
      [...job.shells.values()].map((s) =>
        this.h
          .rpc<{ pids: Array<[number, number]> }>('job-exec.shell-pids', { id: job.id }, { nodeid: s.p.rank })
          .then((r) => r.pids.map(([rank, pid]) => ({ rank, host: s.host, pid }))),
      ),
    );
    return { tasks: parts.flat().sort((a, b) => a.rank - b.rank) };
  }

  /** flux module stats job-exec: the termination settings in effect and the running jobs, with Flux's keys */
  stats(): Record<string, unknown> {
    const k = this.execSettings();
    return {
      'kill-timeout': k.killTimeoutMs / 1000,
      'term-signal': signalName(k.termSignal) ?? String(k.termSignal),
      'kill-signal': signalName(k.killSignal) ?? String(k.killSignal),
      'max-kill-count': k.maxKillCount,
      'max-kill-timeout': k.maxKillTimeoutMs !== undefined ? k.maxKillTimeoutMs / 1000 : -1,
      'effective-max-kill-timeout': effectiveMaxKillSeconds(k),
      jobs: Object.fromEntries([...this.jobs.values()].map((j) => [encodeF58(j.id), { ntasks: j.ntasks, nnodes: j.placements.length }])),
    };
  }

  list(): JobExecListResponse {
    return { jobs: [...this.jobs.values()].map((j) => ({ id: j.id, ntasks: j.ntasks, nnodes: j.placements.length })) };
  }

  disconnect(msg: Message): typeof NO_RESPONSE {
    const sender = msg.route[0];
    for (const log of this.logs.values()) log.unwatch((w) => w.route[0] === sender);
    return NO_RESPONSE;
  }

  /** module unload: stop treating ended shell streams as lost ranks */
  shutdown(): void {
    for (const j of this.jobs.values()) j.stopping = true;
  }

  /** module unload: the reads end; the files go unless they are in the statedir */
  async removeLogs(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map((l) => l.remove(this.persistent)));
    if (!this.persistent) await fs.promises.rm(this.outputDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** job-manager's `job-exception {id, type, severity}`: a fatal one kills the job */
  /** `job-exception` (checked against its schema): a fatal one kills the job's tasks */
  onJobException(ev: JobExceptionEvent): void {
    if (ev.severity !== 0) return;
    // a time limit: SIGALRM first, as Flux; otherwise [exec] term-signal (the job's default)
    this.jobs.get(ev.id)?.fatalKill(ev.type === 'timeout' ? 14 : undefined);
  }
}

/** ranks (an idset, or all) named tasks beyond the job's ntasks: the ones it has, for the caller's warning */
function inJob(ranks: string | undefined, ntasks: number): JobExecStdinResponse {
  if (ranks === undefined || ranks === 'all') return {};
  let asked: number[];
  try {
    asked = idset.decode(ranks);
  } catch {
    return {};
  }
  const kept = asked.filter((r) => r < ntasks);
  return kept.length === asked.length ? {} : { ranks: idset.encode(kept) };
}
