/**
 * FluxExecutor, as Flux's Python `flux.job.FluxExecutor`: submit many jobs
 * and get a future for each at once; a future gives the job id once it is
 * submitted and the job's exit code once it is done. `await
 * executor.shutdown()` waits for every job and closes the connection the
 * executor opened.
 *
 * A future is awaitable itself (it resolves as result() does), so
 * `await Promise.all(futures)` collects exit codes. result() resolves with the
 * job's returncode (as flux jobs shows it) once its tasks ran; it rejects with
 * a JobException when the job ended by a fatal exception before its tasks ran
 * (canceled while pending, unsatisfiable), and with a FluxError when the
 * submission was refused. No rejection is ever left unhandled by the executor
 * itself: a future nobody awaits does not end the process.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { Client } from './client';
import { cancel as cancelJob, eventWatch, result as jobResult, submit as submitJob, jobid as f58, type EventLogEntry, type JobId, type JobInfo, type SubmitOptions } from './job';
import type { Jobspec, JobspecV1 } from './jobspec';

/** A job that ended by a fatal exception before its tasks ran. */
export class JobException extends Error {
  constructor(
    readonly id: JobId,
    readonly type: string,
    readonly severity: number,
    readonly note: string,
  ) {
    super(`job ${f58(id)}: ${type} exception${note ? `: ${note}` : ''}`);
    this.name = 'JobException';
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

function settle<T>(p: Promise<T>): Promise<Outcome<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw o.error;
}

/** What result() gives for a finished job: its returncode, or the exception that kept it from running. */
function outcomeOf(info: JobInfo): number {
  if (info.waitstatus === undefined && info.exception.occurred) {
    throw new JobException(info.id, info.exception.type ?? '', info.exception.severity ?? 0, info.exception.note ?? '');
  }
  return info.returncode ?? 0;
}

export class FluxExecutorFuture implements PromiseLike<number> {
  private finished = false;
  private watching: Promise<void> | undefined;
  private readonly callbacks = new Map<string, Array<(event: EventLogEntry, future: FluxExecutorFuture) => void>>();
  private readonly idOutcome: Promise<Outcome<JobId>>;
  private readonly infoOutcome: Promise<Outcome<JobInfo>>;
  private readonly resultOutcome: Promise<Outcome<number>>;

  /** @internal the executor makes futures */
  constructor(
    private readonly executor: FluxExecutor,
    id: Promise<JobId>,
    info: (id: JobId) => Promise<JobInfo>,
  ) {
    this.idOutcome = settle(id);
    this.infoOutcome = this.idOutcome.then((o) => (o.ok ? settle(info(o.value)) : o));
    this.resultOutcome = this.infoOutcome.then((o) => settle(o.ok ? Promise.resolve().then(() => outcomeOf(o.value)) : Promise.reject(o.error)));
    void this.resultOutcome.then(() => (this.finished = true));
  }

  /** The job id, once submitted (rejects with the FluxError if the submission was refused). */
  async jobid(): Promise<JobId> {
    return unwrap(await this.idOutcome);
  }

  /** The job's returncode once done (see the class comment for rejections). */
  async result(): Promise<number> {
    return unwrap(await this.resultOutcome);
  }

  /** The job's final record (state, result, exception, times) once done. */
  async info(): Promise<JobInfo> {
    return unwrap(await this.infoOutcome);
  }

  /** The error result() would reject with, or undefined if it resolves. */
  async exception(): Promise<Error | undefined> {
    const o = await this.resultOutcome;
    return o.ok ? undefined : o.error;
  }

  /** Whether the job is done (or its submission failed). */
  done(): boolean {
    return this.finished;
  }

  /** Cancel the job; resolves false if it had already ended or was never submitted. */
  async cancel(reason = ''): Promise<boolean> {
    if (this.finished) return false;
    const o = await this.idOutcome;
    if (!o.ok) return false;
    try {
      await cancelJob(await this.executor.handle(), o.value, reason);
      return true;
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.EINVAL) return false; // already inactive
      throw e;
    }
  }

  /**
   * Call cb for each event NAME of the job's eventlog (`alloc`, `start`,
   * `finish`, `exception`, ...), those already posted included, as Python's
   * add_event_callback. A callback that throws is reported as a process
   * warning; the others still run.
   */
  addEventCallback(name: string, cb: (event: EventLogEntry, future: this) => void): this {
    if (typeof name !== 'string' || name === '' || typeof cb !== 'function') {
      throw new FluxError(Errno.EINVAL, 'addEventCallback: an event name and a function are required');
    }
    let l = this.callbacks.get(name);
    if (!l) this.callbacks.set(name, (l = []));
    l.push(cb as (event: EventLogEntry, future: FluxExecutorFuture) => void);
    this.watching ??= this.watchEvents();
    return this;
  }

  private async watchEvents(): Promise<void> {
    const o = await this.idOutcome;
    if (!o.ok) return;
    try {
      for await (const e of eventWatch(await this.executor.handle(), o.value)) {
        for (const cb of this.callbacks.get(e.name) ?? []) {
          try {
            cb(e, this);
          } catch (err) {
            process.emitWarning(`FluxExecutor: ${e.name} callback of job ${f58(o.value)}: ${(err as Error).message}`);
          }
        }
      }
    } catch (err) {
      process.emitWarning(`FluxExecutor: watching job ${f58(o.value)}: ${(err as Error).message}`);
    }
  }

  /** @internal resolves once the job is done and its event callbacks have all run */
  async settled(): Promise<void> {
    await this.resultOutcome;
    await this.watching;
  }

  then<A = number, B = never>(onfulfilled?: ((v: number) => A | PromiseLike<A>) | null, onrejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.result().then(onfulfilled, onrejected);
  }
}

export interface FluxExecutorOptions {
  /** the instance to connect to (default FLUX_URI) */
  uri?: string;
  /** use this connection instead (shutdown() then leaves it open) */
  handle?: Client;
}

export interface ShutdownOptions {
  /** wait for every job to end (default true) */
  wait?: boolean;
  /** cancel the jobs not done yet (default false) */
  cancelFutures?: boolean;
}

export class FluxExecutor {
  private readonly conn: Promise<Outcome<Client>>;
  private readonly owned: boolean;
  private readonly futures = new Set<FluxExecutorFuture>();
  private down = false;

  constructor(opts: FluxExecutorOptions = {}) {
    for (const k of Object.keys(opts)) if (k !== 'uri' && k !== 'handle') throw new FluxError(Errno.EINVAL, `FluxExecutor: unknown option '${k}'`);
    this.owned = opts.handle === undefined;
    this.conn = settle(opts.handle ? Promise.resolve(opts.handle) : Client.connect(opts.uri));
  }

  /** The executor's connection (for eventWatch, outputWatch... on its jobs). */
  async handle(): Promise<Client> {
    return unwrap(await this.conn);
  }

  /** Submit a job; the future is returned at once. */
  submit(jobspec: Jobspec | JobspecV1, opts?: SubmitOptions): FluxExecutorFuture {
    if (this.down) throw new FluxError(Errno.EINVAL, 'FluxExecutor: cannot submit after shutdown');
    const id = this.handle().then((h) => submitJob(h, jobspec, opts));
    const f = new FluxExecutorFuture(this, id, async (n) => jobResult(await this.handle(), n));
    this.futures.add(f);
    void f.exception().then(() => this.futures.delete(f));
    return f;
  }

  /**
   * No more submissions; with wait (default) resolves once every job is done,
   * then closes the connection the executor opened.
   */
  async shutdown(opts: ShutdownOptions = {}): Promise<void> {
    this.down = true;
    const pending = [...this.futures];
    if (opts.cancelFutures) await Promise.all(pending.map((f) => f.cancel('executor shutdown').catch(() => false)));
    const all = Promise.all(pending.map((f) => f.settled()));
    const close = async () => {
      await all;
      if (!this.owned) return;
      const c = await this.conn;
      if (c.ok) c.value.close();
    };
    if (opts.wait === false) {
      void close();
      return;
    }
    await close();
  }
}
