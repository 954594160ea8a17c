/**
 * How a `flux` command ends (docs/guide/cli-pool.md, "How a command ends").
 *
 * Writes to a pipe are asynchronous in Node: what the reader has not taken yet
 * waits in the process, and process.exit() throws it away. So a command never
 * calls process.exit() itself: it calls endCommand(), the one exit path, which
 * waits until stdout and stderr have handed every byte to the kernel and then
 * exits. A reader that is slow only makes us wait, as a Unix tool blocked in
 * write(2) would.
 *
 * A reader that goes away (`| head -1`) makes the next write fail with EPIPE
 * (Node ignores SIGPIPE): the command then ends at once, quietly, with status
 * 141, what a shell reports for a tool killed by SIGPIPE (`seq 1 100000 | head
 * -1`), so `set -o pipefail` scripts see the same as with any other tool.
 * What a command registered with onBrokenPipe() runs first (flux run cancels
 * the job it started, as a local pipeline's producer dies of SIGPIPE), and
 * the end waits for that, at most BROKEN_PIPE_WORK_MS. Any
 * other write error (ENOSPC on /dev/full, EIO) means lost output: one line on
 * stderr and status 1, never 0.
 *
 * Once the end is decided, whatever the command still tries to print is
 * dropped: a lost broker or a closed pipe is the last word.
 */
import { errnoFromCode, strerror } from '../lib/errno';
import { onCommandReset } from './command-reset';

/** status of a command whose reader went away: 128 + SIGPIPE, as a shell shows a tool killed by it */
export const EXIT_BROKEN_PIPE = 141;

type Out = NodeJS.WriteStream;

/** the status we are ending with, once the end is decided */
let ending: number | undefined;
let guarded = false;
let prog = 'flux';
/** the streams' own write(), kept when later writes are muted */
const realWrite = new Map<Out, Out['write']>();
/** what a broken pipe still has to do (onBrokenPipe), and the work it started */
const pipeActions = new Set<BrokenPipeAction>();
let pipeWork: Array<Promise<unknown>> = [];
/** the longest a broken pipe's work delays the end: a broker that does not answer keeps no command whose reader is gone */
export const BROKEN_PIPE_WORK_MS = 5000;

/** work to do when the reader of `stream` goes away, before the command ends */
export type BrokenPipeAction = (stream: 'stdout' | 'stderr') => Promise<unknown>;

/** what ends the process once the output is drained (a warm client serves the next command instead) */
let exitWith: (code: number) => void = (code) => process.exit(code);

/**
 * How the command's end is carried out once stdout and stderr are drained: by
 * default process.exit(); a warm client (cli/pool/worker.ts) that may serve
 * another command hands in its own.
 */
export function setCommandExit(fn: (code: number) => void): void {
  exitWith = fn;
}

/**
 * Run `fn` (once) if stdout or stderr breaks (EPIPE) before the command ends;
 * the end waits for it (bounded). Returns what unregisters it.
 */
export function onBrokenPipe(fn: BrokenPipeAction): () => void {
  pipeActions.add(fn);
  return () => void pipeActions.delete(fn);
}

/** why this process must not run another command (a warm client's), if it must not */
let taint: string | undefined;

/**
 * This process's state is not to be trusted for another command: an error
 * that is not a Flux error (a bug, or a tree rebuilt under a running client)
 * was reported as the command's failure. A warm client asks before serving
 * again (cli/pool/worker.ts) and exits instead.
 */
export function taintProcess(why: string): void {
  taint ??= why;
}

/** why this process must not serve another command, if taintProcess() was called */
export function processTaint(): string | undefined {
  return taint;
}

/** The name used in a write-error line (the running command's, e.g. `flux-jobs`). */
export function nameCommand(name: string): void {
  prog = name;
}

/** Has the command's end been decided (endCommand, or a broken pipe)? */
export function isEnding(): boolean {
  return ending !== undefined;
}

/**
 * Watch stdout and stderr for write errors, once per process, before the
 * command writes anything: an 'error' event without a listener would crash the
 * process with a stack trace.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  for (const s of streams()) s.on('error', (e: NodeJS.ErrnoException) => onWriteError(s, e));
  if (process.env['FLUX_TS_STDOUT_CLOSED'] === '1') failStdoutWrites();
}

/**
 * Our stdout was closed (`flux getattr rank >&-`): Node opened /dev/null in its
 * place before any script ran, so flux-launch (or bin/flux) said so. The first
 * write fails as it would have, EBADF, like any Unix tool's: one line, status 1.
 * What we start (jobs, brokers) never sees the variable.
 */
function failStdoutWrites(): void {
  delete process.env['FLUX_TS_STDOUT_CLOSED'];
  const out = process.stdout;
  out.write = ((...args: unknown[]) => {
    const cb = args.find((a) => typeof a === 'function') as ((e?: Error) => void) | undefined;
    const e = Object.assign(new Error('write EBADF'), { code: 'EBADF', errno: -9, syscall: 'write' });
    // decided now: a command that ends right after its write must not exit 0 first
    onWriteError(out, e);
    if (cb) process.nextTick(cb, e);
    return false;
  }) as Out['write'];
}

/**
 * End the process with `code` once everything written to stdout and stderr
 * has been taken by the kernel. Only the first call decides the status (a
 * broken pipe or write error found while draining overrides it).
 */
export function endCommand(code: number): void {
  if (ending !== undefined) return;
  ending = code;
  finish();
}

/** streams whose write error has been dealt with */
const failed = new Set<Out>();

function onWriteError(s: Out, e: NodeJS.ErrnoException): void {
  if (failed.has(s)) return;
  failed.add(s);
  if (e.code === 'EPIPE') {
    const stream = s === process.stderr ? 'stderr' : 'stdout';
    for (const fn of pipeActions) pipeWork.push(Promise.resolve().then(() => fn(stream)).catch(() => undefined));
    pipeActions.clear();
    decide(EXIT_BROKEN_PIPE);
    return;
  }
  const line = `${prog}: write error: ${strerror(errnoFromCode(e.code))}\n`;
  const other = s === process.stderr ? undefined : process.stderr;
  if (other && !other.destroyed) (realWrite.get(other) ?? other.write).call(other, line);
  decide(ending === undefined || ending === 0 ? 1 : ending);
}

/** A failure found by a write decides the status, even while draining. */
function decide(code: number): void {
  const first = ending === undefined;
  ending = code;
  if (first) finish();
}

let finishing = false;

function finish(): void {
  if (finishing) return;
  finishing = true;
  muteLaterWrites();
  // The command is over: a signal now ends the process at once, as it would a
  // tool blocked writing to a slow reader (handlers the command left behind,
  // such as attach's signal forwarding, would keep it alive).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);
  void Promise.all(streams().map(drained))
    .then(() => {
      // a write that failed just now may not have emitted its 'error' yet
      for (const s of streams()) if (s.errored) onWriteError(s, s.errored as NodeJS.ErrnoException);
      return pipeWorkDone();
    })
    .then(() => exitWith(ending!));
}

/** the work broken pipes started is over, or BROKEN_PIPE_WORK_MS have passed */
function pipeWorkDone(): Promise<void> {
  if (pipeWork.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(r, BROKEN_PIPE_WORK_MS)));
  return Promise.race([Promise.all(pipeWork).then(() => undefined), late]).finally(() => clearTimeout(timer));
}

// a warm client's next command starts with none of this
onCommandReset(() => {
  ending = undefined;
  guarded = false;
  prog = 'flux';
  realWrite.clear();
  failed.clear();
  finishing = false;
  pipeActions.clear();
  pipeWork = [];
});

function streams(): Out[] {
  return [process.stdout, process.stderr];
}

/** Drop what the command writes after its end was decided. */
function muteLaterWrites(): void {
  for (const s of streams()) {
    if (realWrite.has(s)) continue;
    realWrite.set(s, s.write);
    s.write = ((...args: unknown[]) => {
      const cb = args.find((a) => typeof a === 'function') as ((e?: Error) => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    }) as Out['write'];
  }
}

/**
 * Resolves once every byte written to `s` so far is in the kernel (or `s`
 * failed: its error decides the status). An empty write completes after all
 * the writes queued before it.
 */
function drained(s: Out): Promise<void> {
  return new Promise<void>((resolve) => {
    if (s.destroyed || s.writableLength === 0) {
      resolve();
      return;
    }
    const write = realWrite.get(s) ?? s.write;
    write.call(s, '', 'utf8', () => resolve());
  });
}
