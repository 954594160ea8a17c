/**
 * Between two commands of a warm client (docs/guide/cli-pool.md, "One client,
 * many commands"): what a command may leave behind, put back as a fresh
 * process has it, and what cannot be put back, which makes the client exit
 * instead of serving again (docs/adr/0016-warm-clients-serve-many.md).
 *
 * Put back: process.env, cwd, umask, process.exitCode, argv, title, the
 * process listeners the command added (signal handlers among them), the
 * front end's module state (cli/command-reset.ts), the origin pid.
 * Not put back (the client exits): anything still alive that the command
 * started (a timer, a socket, a server, a child, whether ref'd or not), a
 * process 'exit' listener it added (it must run), a global it defined, an
 * uncaught-exception capture, a changed uid/gid or nice value, a baseline
 * listener it removed, a command that did not return (it ended on a lost
 * broker, a broken pipe, a detach, or it threw), one that reported an
 * internal error (cli/exit.ts taintProcess), one that was signalled or ran
 * long, and a client grown too big or too old.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { ChildProcess } from 'node:child_process';

/** commands one client serves at most */
export const MAX_COMMANDS = 1000;
/** a command that ran longer than this is the client's last */
export const LONG_MS = 10_000;
/** growth of the resident set over the idle client's that ends it */
export const MAX_GROWTH = 64 << 20;

type Listener = (...args: unknown[]) => void;

/** Something a command made unref()'d, and how to tell it is still alive. */
interface Tracked {
  obj: object;
  alive(): boolean;
  what: string;
}

let tracked: Tracked[] = [];

/**
 * An unref()'d timer or socket does not show in getActiveResourcesInfo(),
 * yet it would fire or read during the next command: remember every object
 * a command unrefs, to check later whether it is still alive.
 */
function watchUnref(proto: { unref(): unknown }, what: string, alive: (o: never) => boolean): void {
  const orig = proto.unref;
  proto.unref = function (this: object, ...args: unknown[]) {
    tracked.push({ obj: this, alive: () => alive(this as never), what });
    return (orig as (...a: unknown[]) => unknown).apply(this, args);
  };
}

let watching = false;

function watchAll(): void {
  if (watching) return;
  watching = true;
  const t = setTimeout(() => undefined, 0);
  clearTimeout(t);
  watchUnref(Object.getPrototypeOf(t) as { unref(): unknown }, 'timer', (o: { _destroyed?: boolean }) => o._destroyed !== true);
  const i = setImmediate(() => undefined);
  clearImmediate(i);
  watchUnref(Object.getPrototypeOf(i) as { unref(): unknown }, 'immediate', (o: { _destroyed?: boolean; _onImmediate?: unknown }) => o._destroyed !== true && o._onImmediate !== null);
  watchUnref(net.Socket.prototype, 'socket', (o: net.Socket) => !o.destroyed);
  watchUnref(net.Server.prototype, 'server', (o: net.Server) => o.listening);
  watchUnref(ChildProcess.prototype, 'child process', (o: ChildProcess) => o.exitCode === null && o.signalCode === null);
}

/** The idle client's state, taken once before its first command. */
export class Baseline {
  private readonly listeners = new Map<string | symbol, Listener[]>();
  private readonly globals = new Set(Object.getOwnPropertyNames(globalThis));
  private readonly env = { ...process.env };
  readonly cwd = process.cwd();
  private readonly mask = process.umask();
  private readonly argv = [...process.argv];
  private readonly title = process.title;
  private readonly ids = ids();
  private readonly nice = os.getPriority();
  private readonly stackLimit = Error.stackTraceLimit;
  readonly rss = process.memoryUsage.rss();
  private readonly fds = openFds();

  constructor() {
    for (const name of process.eventNames()) this.listeners.set(name, process.rawListeners(name) as Listener[]);
    watchAll();
  }

  /** Forget what the last command unref'd (call as a command starts). */
  startCommand(): void {
    tracked = [];
  }

  /**
   * Why this client must not serve another command after the one that just
   * ended, or undefined. Looks only: nothing is changed.
   */
  mustExit(): string | undefined {
    const active = process.getActiveResourcesInfo();
    if (active.length > 0) return `left ${active.join(', ')}`;
    const live = tracked.find((t) => t.alive());
    if (live) return `left an unref'd ${live.what}`;
    for (const name of process.eventNames()) {
      const base = this.listeners.get(name) ?? [];
      const now = process.rawListeners(name) as Listener[];
      if ((name === 'exit' || name === 'beforeExit') && now.some((l) => !base.includes(l))) return `added a process '${String(name)}' listener`;
    }
    for (const [name, base] of this.listeners) {
      const now = process.rawListeners(name) as Listener[];
      if (base.some((l) => !now.includes(l))) return `removed a process '${String(name)}' listener`;
    }
    const added = Object.getOwnPropertyNames(globalThis).find((g) => !this.globals.has(g));
    if (added !== undefined) return `defined the global ${added}`;
    if (process.hasUncaughtExceptionCaptureCallback()) return 'set an uncaught exception capture callback';
    if (ids() !== this.ids) return 'changed its user or group ids';
    if (os.getPriority() !== this.nice) return 'changed its nice value';
    if (process.memoryUsage.rss() > this.rss + MAX_GROWTH) return 'grew too big';
    return undefined;
  }

  /**
   * A descriptor open now that was not when the client was idle (a file the
   * command never closed), other than the launcher's numbers; or undefined.
   */
  leakedFd(launchers: readonly number[]): string | undefined {
    const now = openFds();
    if (now === undefined || this.fds === undefined) return now === this.fds ? undefined : 'cannot list its descriptors';
    const extra = [...now].find((fd) => !this.fds!.has(fd) && !launchers.includes(Number(fd)));
    if (extra === undefined) return undefined;
    let what = '';
    try {
      what = ` (${fs.readlinkSync(`/proc/self/fd/${extra}`)})`;
    } catch {
      /* gone meanwhile */
    }
    return `left descriptor ${extra}${what} open [${[...this.fds].join(",")}] [${[...now].join(",")}]`;
  }

  /** Put back what a command may change (after mustExit() found nothing). */
  restore(): void {
    for (const name of process.eventNames()) {
      const base = this.listeners.get(name) ?? [];
      for (const l of process.rawListeners(name) as Listener[]) if (!base.includes(l)) process.removeListener(name, l);
    }
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, this.env);
    process.chdir(this.cwd);
    process.umask(this.mask);
    process.exitCode = undefined;
    process.argv = [...this.argv];
    process.title = this.title;
    Error.stackTraceLimit = this.stackLimit;
    tracked = [];
  }
}

/** this process's open descriptors (not the one that listed them: closed by then) */
function openFds(): Set<string> | undefined {
  let names: string[];
  try {
    names = fs.readdirSync('/proc/self/fd');
  } catch {
    return undefined;
  }
  const out = new Set<string>();
  for (const fd of names) {
    try {
      fs.fstatSync(Number(fd));
      out.add(fd);
    } catch {
      /* the listing's own */
    }
  }
  return out;
}

function ids(): string {
  return [process.getuid?.(), process.geteuid?.(), process.getgid?.(), process.getegid?.(), ...(process.getgroups?.() ?? [])].join(',');
}
