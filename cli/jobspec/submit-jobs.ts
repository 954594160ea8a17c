/**
 * The submit side shared by flux submit and flux bulksubmit: send jobspecs to
 * job-ingest (pipelined), print ids or `[Errno N] msg` lines, and with --wait /
 * --watch / --wait-event follow each job to the end and compute the exit code.
 */
import * as fs from 'node:fs';
import { finished } from 'node:stream';
import { CommandExit } from '../base-command';
import { errnoFromCode, strerror } from '../../lib/errno';
import type { Client } from '../api/client';
import { entryData, readOutput } from '../attach/output-stream';
import { labelLines } from '../../lib/io-data';
import { encodeF58, encodeKvs } from '../../lib/formats';
import type { FluxError } from '../../lib/errors';
import { exitCode, type JobRecord } from './job-info';
import { followJob } from '../watch/follow';
import type { Submission } from './build';
import type { ParsedArgs } from '../options';
import { service } from '../api/protocol';
import { signsJobspecs, submitJob } from '../api/sign';
import type { JsonBytes } from '../../kernel/message/codec';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export interface Pending {
  /** `cc=3: ` or '' */
  prefix: string;
  sub: Submission;
  /** this job's --log and --log-stderr files, `{cc}` or bulksubmit's `{}` replaced (FollowOpts' when not given) */
  log?: string;
  logStderr?: string;
}

/**
 * Where a job's lines go, as Flux's: --log=FILE takes our stdout and, unless
 * --log-stderr=FILE, our stderr too; each file is opened (truncated) once,
 * however many jobs name it.
 */
class LogStreams {
  private readonly files = new Map<string, fs.WriteStream>();
  /** the first error of a file (opened, or written later): the command's error line */
  private failed: string | undefined;
  constructor(private readonly prog: string) {}
  private open(path: string): fs.WriteStream {
    let s = this.files.get(path);
    if (!s) {
      let fd: number;
      try {
        // opened here, not by the stream: a file that cannot be made is one line, not an 'error' event nobody hears
        fd = fs.openSync(path, 'w', 0o666);
      } catch (e) {
        throw new CommandExit(1, this.errorLine(e, path));
      }
      s = fs.createWriteStream(path, { fd });
      s.on('error', (e) => (this.failed ??= this.errorLine(e, path)));
      this.files.set(path, s);
    }
    return s;
  }
  /** as Python's OSError, which Flux's commands print: `[Errno 28] No space left on device: 'FILE'` */
  private errorLine(e: unknown, path: string): string {
    const errno = errnoFromCode((e as NodeJS.ErrnoException).code);
    return `${this.prog}: ERROR: [Errno ${errno}] ${strerror(errno)}: '${path}'`;
  }
  out(log: string | undefined): NodeJS.WritableStream {
    return log ? this.open(log) : process.stdout;
  }
  err(log: string | undefined, logStderr: string | undefined): NodeJS.WritableStream {
    return logStderr ? this.open(logStderr) : log ? this.open(log) : process.stderr;
  }
  /** every file ended and flushed; a write that failed fails the command */
  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((s) => new Promise<void>((r) => finished(s.end(), () => r()))));
    if (this.failed !== undefined) throw new CommandExit(1, this.failed);
  }
}

export interface FollowOpts {
  quiet: boolean;
  wait: boolean;
  watch: boolean;
  waitEvent?: string;
  labelIo: boolean;
  log?: string;
  logStderr?: string;
  progress: boolean;
  jps: boolean;
  /** -v: a `ID: T.TTTs: complete|failed: status=N` line as each job finishes; -vv: each event too (with --wait/--watch) */
  verbose?: number;
  /** a refused submission is `NAME: ERROR: message` (flux batch, as Flux's), not `[Errno N] message` */
  errorAs?: string;
  /** the command's name for an error line (a --log file that cannot be written) */
  prog?: string;
}

/** The follow-up options of submit and bulksubmit, as the user gave them. */
export function followOpts(p: ParsedArgs, progress: boolean): FollowOpts {
  return {
    quiet: p.has('quiet'),
    wait: p.has('wait'),
    watch: p.has('watch'),
    waitEvent: p.get('wait-event')?.value,
    labelIo: p.has('label-io'),
    log: p.get('log')?.value,
    logStderr: p.get('log-stderr')?.value,
    progress,
    jps: progress && p.has('jps'),
    verbose: p.count('verbose'),
  };
}

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/**
 * The jobs to submit: a list, or (a bulk --cc whose copies differ only in
 * FLUX_JOB_CC) made one by one as they are sent, so that the broker stores the
 * first ones while the rest are still being made.
 */
export interface JobSource {
  readonly length: number;
  at(i: number): Pending;
  /** job i's prefix and its request already encoded (copies that differ only in FLUX_JOB_CC: cli/jobspec/copies.ts), for a client that does not sign */
  encoded?(i: number): { prefix: string; request: JsonBytes };
}

/** jobs made and sent in slices this long, the loop let run between them (the socket writes, answers come in) */
const SLICE = 128;

/** Submit all, in order; resolve with the ids (undefined for failures). Returns the number of failures. */
export async function submitAll(h: Client, jobs: readonly Pending[] | JobSource, o: FollowOpts): Promise<number> {
  const logs = new LogStreams(o.prog ?? o.errorAs ?? 'flux-submit');
  // a --log file named once (no {cc} or {} in it) is opened before anything is submitted: a bad path submits nothing
  for (const f of [o.log, o.logStderr]) if (f !== undefined && !f.includes('{')) logs.out(f);
  /** the progress lines' stream (opened only if used: a --log name with {cc} is no file of its own) */
  const err = () => logs.err(o.log, o.logStderr);
  /** each submitted job's streams (its --log files, or ours) */
  const streamsOf = new Map<number, { out: NodeJS.WritableStream; err: NodeJS.WritableStream }>();
  const t0 = Date.now();
  const source: JobSource = Array.isArray(jobs) ? { length: jobs.length, at: (i) => jobs[i]! } : (jobs as JobSource);
  type Sent = { id: number | undefined; error: FluxError | undefined; prefix: string; log: string | undefined; logStderr: string | undefined };
  const sent: Array<Promise<Sent>> = [];
  // a guest signs each copy's jobspec: it needs each one made
  const encoded = source.encoded !== undefined && !(await signsJobspecs(h)) ? source.encoded.bind(source) : undefined;
  /** job i's submission: its request encoded already, or made (and signed by a guest) now */
  const submit = (i: number): { prefix: string; call: Promise<{ id: number }>; log?: string; logStderr?: string } => {
    if (encoded) {
      const { prefix, request } = encoded(i);
      return { prefix, call: h.rpc<{ id: number }>('job-ingest.submit', request) };
    }
    const j = source.at(i);
    const call = submitJob(h, { jobspec: j.sub.jobspec, urgency: j.sub.urgency, flags: j.sub.flags });
    return { prefix: j.prefix, call, log: j.log, logStderr: j.logStderr };
  };
  for (let i = 0; i < source.length; i++) {
    const { prefix, call, log = o.log, logStderr = o.logStderr } = submit(i);
    sent.push(
      call.then(
        (r) => ({ id: r.id, error: undefined, prefix, log, logStderr }),
        (e: FluxError) => ({ id: undefined, error: e, prefix, log, logStderr }),
      ),
    );
    if (i % SLICE === SLICE - 1) await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(sent);
  let failed = 0;
  const ids: number[] = [];
  // each stream's lines written at once, in the jobs' order
  const text = new Map<NodeJS.WritableStream, string>();
  const add = (s: NodeJS.WritableStream, line: string) => text.set(s, (text.get(s) ?? '') + line);
  results.forEach((r) => {
    const jobErr = logs.err(r.log, r.logStderr);
    if (r.id === undefined) {
      failed++;
      const message = r.error?.message ?? 'unknown error';
      add(jobErr, o.errorAs !== undefined ? `${o.errorAs}: ERROR: ${message}\n` : `${r.prefix}[Errno ${r.error?.errno ?? 5}] ${message}\n`);
    } else {
      ids.push(r.id);
      const jobOut = logs.out(r.log);
      if (jobOut !== process.stdout || jobErr !== process.stderr) streamsOf.set(r.id, { out: jobOut, err: jobErr });
      if (!o.quiet) add(jobOut, encodeF58(r.id) + '\n');
    }
  });
  for (const [s, t] of text) s.write(t);
  const streams = (id: number) => streamsOf.get(id) ?? { out: process.stdout, err: process.stderr };
  let rc = failed > 0 ? 1 : 0;
  if (o.waitEvent) await Promise.all(ids.map((id) => waitEvent(h, id, o.waitEvent!)));
  if (o.wait || o.watch) {
    let done = 0;
    /** a job reached the end: its exception (a fatal one) and the progress line */
    const ended = (j: JobRecord): number => {
      if (j.exception_occurred && (j.exception_severity ?? 0) === 0) {
        // as Flux (commands.md §4): no timestamp, no id
        streams(j.id).err.write(`job.exception: type=${j.exception_type ?? ''} severity=${j.exception_severity ?? 0} ${j.exception_note ?? ''}\n`);
      }
      done++;
      if (o.progress) err().write(`\rjobs: ${done}/${ids.length} complete`);
      return exitCode(j);
    };
    const verbose = o.verbose ?? 0;
    // -v/-vv: each job's events, logged as Flux's JobWatcher does (followJob without the output)
    const clock = { value: Infinity };
    const logged =
      verbose > 0
        ? Promise.all(
            ids.map((id) =>
              followJob(h, id, {
                labelIo: false,
                write: () => undefined,
                note: (line) => streams(id).err.write(line + '\n'),
                events: verbose > 1,
                status: true,
                t0: clock,
                output: false,
                execEvents: o.watch,
                onState: () => undefined,
              }),
            ),
          )
        : undefined;
    if (o.watch) {
      const codes = await Promise.all(
        ids.map(async (id) => {
          const { out: jobOut, err: jobErr } = streams(id);
          // -l: the job id before the rank, however many jobs (Flux's JobWatcher)
          const watch = watchOutput(h, id, o.labelIo ? `${encodeF58(id)}: ` : '', o.labelIo, jobOut, jobErr);
          const j = await h.rpc<JobRecord>('job-manager.wait-inactive', { id });
          await watch;
          return ended(j);
        }),
      );
      for (const c of codes) rc = Math.max(rc, c);
    } else {
      rc = Math.max(rc, await waitMany(h, ids, ended));
    }
    if (logged) await logged;
    if (o.progress) err().write('\n');
  }
  if (o.progress && o.jps) {
    const secs = (Date.now() - t0) / 1000;
    err().write(`${(ids.length / (secs || 1)).toFixed(1)} jps\n`);
  }
  await logs.close();
  return rc;
}

/** ids in one job-manager.wait-inactive-many request (its limit is 10,000) */
const WAIT_MANY_CHUNK = 4096;

/**
 * Wait for every job of ids to become inactive: one streaming request per
 * WAIT_MANY_CHUNK ids, answered a batch of summaries at a time, instead of a
 * request and a wake-up a job. Returns the highest of `ended`'s codes.
 */
async function waitMany(h: Client, ids: readonly number[], ended: (j: JobRecord) => number): Promise<number> {
  let rc = 0;
  const calls: Promise<void>[] = [];
  for (let i = 0; i < ids.length; i += WAIT_MANY_CHUNK) {
    const call = jobManager.stream(h, 'wait-inactive-many', { ids: ids.slice(i, i + WAIT_MANY_CHUNK) }, (r) => {
      for (const j of r.jobs) rc = Math.max(rc, ended(j as JobRecord));
    });
    calls.push(call.done);
  }
  await Promise.all(calls);
  return rc;
}

function entriesOf(p: unknown): Entry[] {
  return (p as { entries?: Entry[] } | undefined)?.entries ?? [];
}

/** Resolve once the job's eventlog (or exec eventlog for exec.NAME) has NAME, or the log ends. */
function waitEvent(h: Client, id: number, name: string): Promise<void> {
  const exec = name.startsWith('exec.');
  const key = `${encodeKvs(id)}.${exec ? 'guest.exec.eventlog' : 'eventlog'}`;
  const want = exec ? name.slice(5) : name;
  return new Promise<void>((resolve) => {
    let seen = false;
    h.rpcStream('kvs.watch', { key }, (p) => {
      if (!seen && entriesOf(p).some((e) => e.name === want)) {
        seen = true;
        resolve();
      }
    }).then(
      () => resolve(),
      () => resolve(),
    );
  });
}

/** Copy a job's output to our stdout/stderr (once it is allocated: output-stream.ts) until its end. */
async function watchOutput(h: Client, id: number, prefix: string, label: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  await waitEvent(h, id, 'alloc');
  const write = (e: Entry) => {
    const c = e.context ?? {};
    if (e.name !== 'data' || typeof c['data'] !== 'string') return;
    const dest = c['stream'] === 'stderr' ? err : out;
    const lead = prefix + (label ? `${String(c['rank'])}: ` : '');
    // text, or the bytes of a base64 entry: written as they are
    const data = entryData(c);
    dest.write(lead ? labelLines(data, lead) : data);
  };
  return readOutput(h, id, (entries) => entries.forEach(write)).catch((e: Error) => {
    err.write(`${prefix}${encodeF58(id)}: error reading output: ${e.message}\n`);
  });
}
