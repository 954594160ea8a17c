/**
 * Start a task through its own parent, flux-task (native/flux-task.c), with
 * the flux-ts addon (native/task-spawn.h): the broker posix_spawns flux-task
 * (vfork: the cost does not grow with the broker's memory, as a fork of the
 * broker does) on a thread of Node's pool, so that the loop does not wait
 * the 1-2 ms of its exec: the task's pipes are there at once, flux-task's pid
 * (parentPid) once it runs. flux-task forks and execs the task and waits for
 * it. So the task's parent ($PPID) is never the broker: a task that kills or stops its
 * parent reaches only its own job (ADR 0007). flux-task reports the task's
 * pid, a failed start (errno) and the task's wait status on a status pipe; if
 * it dies before it reported the status, the task is an orphan: 'parent-lost'
 * is emitted (flux-task's exit code or signal), the task's process group is
 * killed and the job gets an exception (shell.ts).
 *
 * The same trip to the pool can make the job's tmpdir (opts.tmpdir) and check
 * its cwd (opts.cwdFallback): what went wrong comes as a 'prepared' event
 * (tmpdir error, cwd error) before the spawn's outcome. With opts.removeTmpdir
 * flux-task removes the tmpdir once its task ended ('tmpdir-removed', errno).
 *
 * The object looks like the part of a ChildProcess the job shell uses: pid
 * (the task's, once it runs), stdin/stdout/stderr streams, stdio[3] (PMI), and
 * the 'spawn', 'error' and 'close' events ('close' after the exit and the end
 * of both output pipes, as child_process orders them). A task on a
 * pseudo-terminal has `terminal` (the master) instead of pipes. N.B. a 'data'
 * chunk of stdout/stderr is a view of a reused buffer: copy what must outlive
 * the listener. Without the addon (no C compiler at build time) spawnTask()
 * returns undefined and the shell uses child_process (tasks are then the
 * broker's children). FLUX_TS_SPAWN=node forces that.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tty from 'node:tty';
import { nativeAddon } from '../../lib/native';
import { impKill, type ImpUser } from './imp';
import { PipeReader, PipeWriter, type PipeAddon } from './task-pipes';

interface SpawnResult {
  stdin?: number;
  stdout?: number;
  stderr?: number;
  pmi?: number;
  pty?: number;
  errno?: number;
}

export interface SpawnOptions {
  /** a socketpair as the task's fd 3 (PMI_FD) */
  pmi: boolean;
  /** the task runs on a new pseudo-terminal of this size */
  pty?: { cols: number; rows: number };
  /** CPUs the task is bound to before it runs */
  cpus?: readonly number[];
  /** soft limits set in the task before it runs: [RLIMIT_* number, value (-1 unlimited)] */
  rlimits?: ReadonlyArray<readonly [number, number]>;
  /** run as this user through the IMP (flux-imp(8)); its processes are signalled through it too */
  asUser?: ImpUser;
  /**
   * made (0700, EEXIST is fine) on the spawn's own trip to the pool, before
   * the task starts; if it cannot be, the task runs without FLUX_JOB_TMPDIR
   * ('prepared' event). Not with asUser (the guest makes it).
   */
  tmpdir?: string;
  /** where the task runs if cwd is not a directory (checked on the spawn's trip; 'prepared' event) */
  cwdFallback?: string;
  /**
   * the shell's only task: flux-task removes $FLUX_JOB_TMPDIR (rmdir) once
   * the task ended, before it reports the status ('tmpdir-removed' event,
   * with 0 or the errno: ENOTEMPTY when the job left files there)
   */
  removeTmpdir?: boolean;
}

interface SpawnAddon extends PipeAddon {
  spawnTask(
    helper: string,
    argv: string[],
    envp: string[] | string,
    cwd: string,
    opts: {
      pmi: boolean;
      pty?: { cols: number; rows: number };
      cpus?: string;
      rlimits?: string;
      via?: string[];
      tmpdir?: string;
      cwdFallback?: string;
      removeTmpdir?: boolean;
    },
    onEvent: (kind: string, a: number, b: number) => void,
  ): SpawnResult;
  setWinsize(fd: number, cols: number, rows: number): void;
  fileOps?: FileOpsFn;
}

/** the addon's fileOps (native/file-ops.h): [kind, path, text | null, mode] ... in one trip, one result each */
export type FileOpsFn = (ops: Array<string | number | null>, cb: (results: number[]) => void) => void;

const HELPER = path.join(__dirname, '..', '..', 'native', 'flux-task');

let addon: SpawnAddon | null | undefined;

function load(): SpawnAddon | null {
  if (addon === undefined) {
    addon = null;
    if (process.env['FLUX_TS_SPAWN'] !== 'node') {
      const a = nativeAddon<SpawnAddon>();
      // without the helper the addon is of another build: the fallback is honest
      if (typeof a?.spawnTask === 'function' && typeof a.setWinsize === 'function' && typeof a.readPipe === 'function' && fs.existsSync(HELPER)) addon = a as SpawnAddon;
    }
  }
  return addon;
}

/** the name of a number in one of os.constants' tables (ENOENT for 2, SIGTERM for 15) */
function nameOf(table: Readonly<Record<string, number>>, n: number): string | undefined {
  return Object.entries(table).find(([, v]) => v === n)?.[0];
}

/** how long an orphaned task's pipes may stay open once its group was killed */
const ORPHAN_GRACE_MS = 2000;
/** after the job's SIGKILL, how long a gone task's output pipes are still read */
const HELD_OUTPUT_GRACE_MS = 1000;

export class NativeTask extends EventEmitter {
  /** the task's pid (its process group), once it runs */
  pid: number | undefined;
  /** flux-task, the task's parent (set once it is spawned) */
  parentPid: number | undefined;
  stdin: PipeWriter | null = null;
  stdout: PipeReader | null = null;
  stderr: PipeReader | null = null;
  /** the pseudo-terminal's master (a task on a pty) */
  terminal: tty.ReadStream | null = null;
  readonly stdio: Array<PipeWriter | PipeReader | net.Socket | null> = [];
  /** signals sent before the task's pid was known, delivered then */
  private pendingSignals: number[] = [];
  /** flux-task is gone */
  private parentGone = false;
  private terminalFd = -1;
  /** the IMP that started flux-task as another user: signals go through it */
  imp: string | undefined;
  /** the first refusal of a `flux-imp kill` (the shell logs it) */
  impError: string | undefined;

  /** signal pid (negative: a group), through the IMP when it runs as another user */
  private signal(pid: number, signum: number): boolean {
    try {
      process.kill(pid, signum);
      return true;
    } catch (e) {
      if (this.imp === undefined || (e as NodeJS.ErrnoException).code !== 'EPERM') return false;
      void impKill(this.imp, pid, signum).then((err) => {
        if (err !== undefined && this.impError === undefined) {
          this.impError = err;
          this.emit('imp-error', err);
        }
      });
      return true;
    }
  }

  /** kill(signum): the task's process group (what it started with it), as the shell signals tasks */
  kill(signal: number | NodeJS.Signals = 'SIGTERM'): boolean {
    const signum = typeof signal === 'number' ? signal : (os.constants.signals[signal] ?? 15);
    if (this.pid === undefined) {
      if (!this.parentGone) this.pendingSignals.push(signum);
      return true;
    }
    return this.signal(-this.pid, signum) || this.signal(this.pid, signum);
  }

  /**
   * The job's SIGKILL went out: once the task and flux-task are gone, output
   * pipes still open after HELD_OUTPUT_GRACE_MS are held by a process that
   * left the task's group (setsid): they end there, and the job with them (a
   * canceled job stayed in CLEANUP, and an instance's exit waited for it).
   */
  abandonHeldOutput: () => void = () => {};

  /**
   * The kill escalation's last step (with SIGKILL to the task): flux-task gets
   * SIGCONT, so that a parent the job stopped reaps its task and reports, and
   * SIGKILL if it is still there a grace later (then the job's exception says so).
   */
  reviveParent(): void {
    if (this.parentGone || this.parentPid === undefined) return;
    const pid = this.parentPid;
    if (!this.signal(pid, os.constants.signals.SIGCONT)) return;
    setTimeout(() => {
      // N.B. still our unreaped child while parentGone is false: the pid cannot be another's
      if (!this.parentGone) this.signal(pid, os.constants.signals.SIGKILL);
    }, ORPHAN_GRACE_MS).unref();
  }

  /** the job stopped flux-task and its task ended: it is killed (watchStoppedParent) */
  parentStopped = false;

  /** internal: kill a flux-task found stopped (still our unreaped child: the pid is its own) */
  killStoppedParent(): void {
    if (this.parentGone || this.parentPid === undefined) return;
    this.parentStopped = true;
    this.signal(this.parentPid, os.constants.signals.SIGKILL);
  }

  /** internal: SIGKILL to the task's group (an orphan) */
  killGroup(): void {
    if (this.pid !== undefined) this.signal(-this.pid, os.constants.signals.SIGKILL);
  }

  /** the terminal's size (a task on a pty) */
  resize(cols: number, rows: number): void {
    if (this.terminalFd < 0) return;
    try {
      load()?.setWinsize(this.terminalFd, cols, rows);
    } catch {
      /* closed */
    }
  }

  /** internal: the task runs */
  started(pid: number): void {
    this.pid = pid;
    for (const s of this.pendingSignals.splice(0)) this.kill(s);
  }

  /** internal: flux-task ended */
  parentEnded(): void {
    this.parentGone = true;
    this.pendingSignals = [];
  }

  /** internal */
  setTerminal(fd: number): void {
    this.terminalFd = fd;
    // node:tty only for a pty task: an idle broker does not load it (issue 13, idle memory)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ReadStream } = require('node:tty') as typeof tty;
    this.terminal = new ReadStream(fd);
  }
}

/** an errno as Node's error for it (code ENOENT ...) */
export function errnoError(errno: number, what: string): NodeJS.ErrnoException {
  const code = nameOf(os.constants.errno, errno) ?? `E${errno}`;
  return Object.assign(new Error(`${code}: ${what}`), { code, errno: -errno });
}

/** The addon's fileOps, or undefined without it (or with FLUX_TS_SPAWN=node): file-ops.ts batches through it. */
export function addonFileOps(): FileOpsFn | undefined {
  const a = load();
  return a !== null && typeof a.fileOps === 'function' ? a.fileOps.bind(a) : undefined;
}

/** Whether tasks start through flux-task (the addon and the helper are there). */
spawnTask.available = (): boolean => load() !== null;

/** Start argv[0] (PATH search with the task's PATH) or undefined when the addon is not there. */
export function spawnTask(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, opts: SpawnOptions): NativeTask | undefined {
  const a = load();
  if (a === null) return undefined;
  // one string, NUL-separated: the addon converts it at once (a NUL cannot be in a variable)
  let envp = '';
  for (const k in env) {
    let v = env[k];
    if (typeof v !== 'string') continue;
    // as a C string ends there (what an array of them did)
    const nul = v.indexOf('\0');
    if (nul >= 0) v = v.slice(0, nul);
    envp += envp === '' ? `${k}=${v}` : `\0${k}=${v}`;
  }
  const file = argv[0] ?? '';
  const t = new NativeTask();
  const as = opts.asUser;
  t.imp = as?.imp;
  let status: number | undefined;
  let parentExit: [number, number] | undefined;
  let open = 0;
  let closed = false;
  let stopWatch = false;
  /** the start failed: 'error' is the end, no 'close' follows */
  let failed = false;
  const maybeClose = () => {
    if (!closed && parentExit === undefined && status === undefined && open === 0 && !stopWatch) {
      // the task's output ended and its parent has not reported: it may be stopped
      stopWatch = true;
      watchStoppedParent(t, () => parentExit !== undefined || status !== undefined);
    }
    // a start that failed ends with its 'error' alone (impRefused may still be reading the IMP's line)
    if (closed || failed || parentExit === undefined || open > 0) return;
    closed = true;
    const st = status ?? 9;
    const exited = (st & 0x7f) === 0;
    const code = exited ? (st >> 8) & 0xff : null;
    const sig = exited ? null : ((nameOf(os.constants.signals, st & 0x7f) as NodeJS.Signals | undefined) ?? null);
    t.emit('close', code, sig);
  };
  const fail = (errno: number) => {
    const code = nameOf(os.constants.errno, errno) ?? `E${errno}`;
    t.emit('error', Object.assign(new Error(`spawn ${file} ${code}`), { code, errno: -errno }));
  };
  let spawnEmitted = false;
  const r = a.spawnTask(
    as ? as.imp : HELPER,
    [...argv],
    envp,
    // through the IMP, the user's cwd is entered by the IMP as the user (the owner may not reach it)
    as ? '/' : cwd,
    {
      pmi: opts.pmi,
      pty: opts.pty,
      cpus: opts.cpus && opts.cpus.length > 0 ? opts.cpus.join(',') : undefined,
      rlimits: opts.rlimits && opts.rlimits.length > 0 ? opts.rlimits.map(([r, v]) => `${r}=${v}`).join(',') : undefined,
      // flux-imp exec USERID J CWD: it runs its configured flux-task as the user, in cwd
      via: as ? ['exec', String(as.userid), as.J, cwd] : undefined,
      tmpdir: as ? undefined : opts.tmpdir,
      cwdFallback: as ? undefined : opts.cwdFallback,
      removeTmpdir: as ? undefined : opts.removeTmpdir,
    },
    (kind, x, y) => {
      switch (kind) {
        case 'D':
          // the tmpdir could not be made (x) or cwd is not a directory (y): errnos, 0 when fine
          t.emit('prepared', x === 0 ? undefined : errnoError(x, opts.tmpdir ?? ''), y === 0 ? undefined : errnoError(y, cwd));
          return;
        case 'S':
          // flux-task was spawned (off the loop, on a pool thread): it is watched from now on
          t.parentPid = x;
          return;
        case 'F':
          // the task's own report, before its exec: its group can be killed from now on
          t.started(x);
          return;
        case 'P':
          if (t.pid === undefined) t.started(x);
          spawnEmitted = true;
          t.emit('spawn');
          return;
        case 'E':
          failed = true;
          fail(x);
          return;
        case 'R':
          t.emit('tmpdir-removed', x);
          return;
        case 'X':
          status = x;
          // as child_process does: nobody reads the task's stdin any more
          t.stdin?.destroy();
          return;
        case 'Z':
          t.parentEnded();
          parentExit = [x, y];
          if (failed) {
            // nothing ran: no output will come, and 'error' was the end (maybeClose: failed)
            for (const s of [t.stdin, t.stdout, t.stderr, t.terminal]) s?.destroy();
            return;
          }
          if (as && t.pid === undefined && status === undefined) {
            // the IMP refused (or could not run flux-task): its one line is on the task's stderr
            failed = true;
            impRefused(t, x, y, () => refusal);
            return;
          }
          if (status === undefined) {
            // a parent we killed because the job stopped it: say so
            if (t.parentStopped) [x, y] = [-1, os.constants.signals.SIGSTOP];
            // the task may run (or have run) without its parent: it is launched, then lost
            if (!spawnEmitted) {
              spawnEmitted = true;
              t.emit('spawn');
            }
            orphaned(t, x, y);
          }
          maybeClose();
          return;
      }
    },
  );
  if (r.errno !== undefined) {
    const errno = r.errno ?? 0;
    setImmediate(() => fail(errno));
    return t;
  }
  if (r.pty !== undefined) {
    t.setTerminal(r.pty);
    open = 1;
    // the terminal ends with EIO once the last process that had it open is gone
    t.terminal!.on('error', () => t.terminal!.destroy());
    t.terminal!.on('close', () => {
      open--;
      maybeClose();
    });
  } else {
    t.stdin = new PipeWriter(r.stdin!);
    t.stdout = new PipeReader(a, r.stdout!);
    t.stderr = new PipeReader(a, r.stderr!);
    open = 2;
    for (const s of [t.stdout, t.stderr]) {
      s.on('close', () => {
        open--;
        maybeClose();
      });
    }
  }
  t.abandonHeldOutput = () => {
    // once: the job's SIGKILL may go out again (every kill timeout)
    t.abandonHeldOutput = () => {};
    const check = setInterval(() => {
      if (closed || failed) clearInterval(check);
      else if (parentExit !== undefined) {
        clearInterval(check);
        for (const s of [t.stdout, t.stderr]) s?.endNow();
        t.terminal?.destroy();
      }
    }, HELD_OUTPUT_GRACE_MS);
    check.unref();
  };
  // what the IMP says before flux-task runs (a refusal), a little of it
  let refusal = '';
  if (as) {
    const keep = (b: Buffer) => {
      if (t.pid === undefined && refusal.length < 1024) refusal += b.toString('utf8', 0, Math.min(b.length, 1024));
    };
    (t.stderr ?? t.terminal)?.on('data', keep);
  }
  t.stdio.push(t.stdin, t.stdout, t.stderr, r.pmi !== undefined && r.pmi >= 0 ? new net.Socket({ fd: r.pmi }) : null);
  return t;
}

/**
 * flux-imp ended before flux-task forked the task: it refused (its reason is
 * one line on the task's stderr, read to its end first) or failed to run
 * flux-task. The task's start fails with that line ('error'), then 'close'.
 */
function impRefused(t: NativeTask, code: number, signo: number, said: () => string): void {
  const s = t.stderr ?? t.terminal;
  const done = () => {
    const line = said().split('\n').find((l) => l.startsWith('flux-imp: '));
    const why = line ?? (signo > 0 ? `flux-imp killed by signal ${signo}` : `flux-imp exited with status ${code}`);
    t.emit('error', Object.assign(new Error(why), { code: 'EIMP' }));
    for (const x of [t.stdout, t.stderr, t.terminal]) x?.destroy();
  };
  if (!s || s.destroyed || s.readableEnded) done();
  else {
    s.once('close', done);
    setTimeout(() => s.destroy(), ORPHAN_GRACE_MS).unref();
  }
}

/** how often a parent that outlived its task's output is checked for a stop */
const STOP_POLL_MS = 250;

/** the state letter of /proc/PID/stat (R, S, T, Z, ...), undefined when there is no such process */
async function procState(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.promises.readFile(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The task's output ended but flux-task did not report its end: a job that
 * stopped its parent (`kill -STOP $PPID`) leaves its task unreaped and the job
 * would wait forever. While neither report comes, flux-task's state is polled;
 * once it is stopped and its task has ended (a zombie, or gone), flux-task is
 * killed and the job's exception says it was stopped. A task still running
 * under a stopped parent is left to run (a cancel's SIGKILL revives the parent).
 */
function watchStoppedParent(t: NativeTask, settled: () => boolean): void {
  const parent = t.parentPid;
  if (parent === undefined) return;
  const tick = async () => {
    if (settled()) return;
    const st = await procState(parent);
    if (settled()) return;
    if (st === 'T' || st === 't') {
      const ts = t.pid === undefined ? undefined : await procState(t.pid);
      if (settled()) return;
      if (ts === undefined || ts === 'Z') {
        t.killStoppedParent();
        return;
      }
    }
    setTimeout(() => void tick(), STOP_POLL_MS).unref();
  };
  setTimeout(() => void tick(), STOP_POLL_MS).unref();
}

/**
 * flux-task died before it reported its task's end (a job signalled its
 * parent): the task is an orphan. Its process group is killed; its pipes
 * close with it (or are closed after a grace, if something it started left the
 * group and still holds them), and the shell fails the job.
 */
function orphaned(t: NativeTask, code: number, signo: number): void {
  t.killGroup();
  t.emit('parent-lost', code, signo);
  const streams = [t.stdout, t.stderr, t.terminal].filter((s): s is PipeReader | tty.ReadStream => s !== null && !s.destroyed);
  if (streams.length === 0) return;
  const timer = setTimeout(() => {
    for (const s of streams) s.destroy();
  }, ORPHAN_GRACE_MS);
  timer.unref();
}

