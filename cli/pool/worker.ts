/**
 * A warm client of the cli-pool module (docs/guide/cli-pool.md): a `flux`
 * front end started ahead of time by the broker, with its code loaded, that
 * waits for a command from the launcher (native/flux-launch.c), takes on the
 * launcher's stdio, working directory, environment, umask and command line,
 * runs the command as the front end would and reports its exit status. Then,
 * if the command left nothing it cannot put back (cli/pool/recycle.ts), it
 * lets go of the launcher's descriptors, puts its own state back and waits
 * for the next command; else it exits, as a fresh process would.
 *
 * Descriptors from the broker: 3 = the pool's listening socket, 4 = a socket
 * to the module, on which the client says "r" (ready: loaded, waiting) and "b"
 * (taken), and the module may say "q" (one idle client too many: exit). Both
 * move to high numbers, close-on-exec, at once: the launcher's own descriptors
 * may take 3 and 4 (PMI_FD=3 in a job, `3<file`), and what a command starts
 * must not inherit them.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { distDir } from '../bundle-loader';
import { setOriginPid } from './origin';
import { installStdio, withoutStdio, closeStdio, openStdio, stdioKind } from './stdio';
import { Baseline, LONG_MS, MAX_COMMANDS } from './recycle';
import { processTaint, setCommandExit } from '../exit';
import { resetCommandState } from '../command-reset';

interface Request {
  conn: number;
  pid: number;
  cwdOk: boolean;
  strings: string[];
  extras: number[];
}

interface PoolAddon {
  serve(listenFd: number, stateFd: number): Request | undefined;
  release(numbers: number[]): void;
  relocate(fd: number): number;
  pending(fd: number): boolean;
  parentDeath(sig: number): void;
}

/** commands loaded first */
const HOT = ['run', 'submit', 'jobs', 'job', 'cancel', 'getattr', 'uptime', 'resource'];
/** a launcher that has not gone away this long after its status: the client does not serve again */
const LAUNCHER_GONE_MS = 2000;
/** how long what the command closed may take to be closed */
const SETTLE_MS = 50;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const addon = require(path.join(distDir, 'native', 'flux-ts.node')) as PoolAddon;
const parent = process.env['FLUX_CLI_POOL_PARENT'];

// An idle client dies with its broker; one that runs a command no longer does.
addon.parentDeath(15);
if (String(process.ppid) !== parent) process.exit(0);
// libuv opens descriptors of its own on first need and keeps them: its
// signal pipe (the first signal handler) and a spare for accept()'s EMFILE
// (the first stream handle). Open them now, so that they are part of the idle
// client's descriptors, not something the first command seems to leave; and
// before 3 and 4 are free, so that they do not take those common numbers.
const noop = (): void => undefined;
process.on('SIGWINCH', noop);
process.removeListener('SIGWINCH', noop);
{
  // the handle class itself: a net.Socket would need a descriptor to wrap
  const wrap = (process as unknown as { binding(name: 'pipe_wrap'): { Pipe: new (type: number) => { close(): void }; constants: { SOCKET: number } } }).binding('pipe_wrap');
  new wrap.Pipe(wrap.constants.SOCKET).close();
}
const LISTEN_FD = addon.relocate(3);
const STATE_FD = addon.relocate(4);

// The front end now; then every command, the common ones first, until a
// launcher is waiting: one that comes while this client is still loading is
// served at once, and the command loads what it needs itself. Node makes
// process.stdin/stdout/stderr on first use: here that must be the
// launcher's, not the /dev/null this process starts with.
const front = withoutStdio(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(distDir, 'cli', 'main.js')) as typeof import('../main');
});
fs.writeSync(STATE_FD, 'r');
withoutStdio(() => {
  const index = JSON.parse(fs.readFileSync(path.join(distDir, 'cli', 'command-index.json'), 'utf8')) as Record<string, string[]>;
  const words = [...HOT, ...Object.keys(index).filter((w) => !HOT.includes(w))];
  for (const f of new Set(words.flatMap((w) => index[w] ?? []))) {
    if (addon.pending(LISTEN_FD)) break;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(distDir, 'cli', f));
  }
});
installStdio();

/** the command being served */
interface Current {
  req: Request;
  /** FLUX_CLI_POOL_DEBUG=2: when each step was reached (ms, performance.now()) */
  times: number[];
  launcher: net.Socket;
  started: number;
  returned: boolean;
  signalled: boolean;
}
let current: Current | undefined;
let served = 0;
/** how long the last reset took, from the status written to ready again (ms) */
let lastReset = 0;

// However the process ends (a command that exits itself, an uncaught
// exception, a client that does not serve again), the launcher gets the status.
process.on('exit', (code) => {
  if (!current) return;
  try {
    fs.writeSync(current.req.conn, `x${code & 0xff}\n`);
  } catch {
    /* the launcher is gone: nobody to tell */
  }
});
setCommandExit((code) => {
  finish(code).catch((e: unknown) => lastCommand(code, `reset failed: ${(e as Error).message}`));
});

const base = new Baseline();

function serveNext(): void {
  const req = addon.serve(LISTEN_FD, STATE_FD);
  if (!req) process.exit(0); // the pool has one client too many, or the broker is gone
  const taken = performance.now();
  addon.parentDeath(0);
  served++;
  const [mask = '22', argc = '0', ...rest] = req.strings;
  const nargs = Number(argc);
  const args = rest.slice(0, nargs);
  for (const k of Object.keys(process.env)) delete process.env[k];
  for (const kv of rest.slice(nargs)) {
    const eq = kv.indexOf('=');
    if (eq > 0) process.env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  process.umask(parseInt(mask, 8));
  // the addon changed directory with fchdir(); this drops Node's cached cwd
  if (req.cwdOk) process.chdir('.');
  setOriginPid(req.pid);
  process.argv = [process.argv[0]!, path.join(distDir, 'cli', 'entry.js'), ...args];
  process.title = 'flux';
  openStdio();
  // The launcher is the command's process for the shell: when it is gone (killed
  // with SIGKILL, which it cannot pass on), so is the command. What it sends is
  // a notice that it passed a signal on.
  const launcher = new net.Socket({ fd: req.conn, readable: true, writable: false });
  const cur: Current = { req, launcher, started: Date.now(), returned: false, signalled: false, times: [taken] };
  current = cur;
  launcher.on('data', () => {
    cur.signalled = true;
  });
  launcher.on('error', () => undefined);
  launcher.on('close', () => process.kill(process.pid, 'SIGKILL'));
  launcher.unref();
  base.startCommand();
  if (debugging()) {
    const kinds = [0, 1, 2].map((fd) => stdioKind(fd)).join(',');
    fs.writeSync(2, `flux: cli-pool: client ${process.pid} command ${served} stdio ${kinds}\n`);
  }
  cur.times.push(performance.now());
  front.runMain(args, () => {
    cur.returned = true;
    cur.times.push(performance.now());
  });
}

/** FLUX_CLI_POOL_DEBUG=1 or 2 (the command's environment): the client's lines on its stderr */
function debugging(): boolean {
  const d = process.env['FLUX_CLI_POOL_DEBUG'];
  return d === '1' || d === '2';
}

/** Why this client must not serve again after `cur`, looking at the command itself. */
function commandVerdict(cur: Current): string | undefined {
  if (!cur.returned) return 'the command did not return';
  const taint = processTaint();
  if (taint !== undefined) return taint;
  if (cur.signalled || addon.pending(cur.req.conn)) return 'the command was signalled';
  if (Date.now() - cur.started > LONG_MS) return 'the command ran long';
  if (served >= MAX_COMMANDS) return 'served its share';
  return undefined;
}

/** This client serves no more: it exits with the command's status, as a fresh process would. */
function lastCommand(code: number, why: string): never {
  if (debugging()) {
    try {
      fs.writeSync(2, `flux: cli-pool: client ${process.pid} exits: ${why}\n`);
    } catch {
      /* stderr is gone */
    }
  }
  process.exit(code);
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Let go of the launcher's descriptors, then tell it the status: a reader of
 * its stdout sees end-of-file once it exits, not once we do.
 */
function tellStatus(cur: Current, code: number): number {
  addon.release(cur.req.extras);
  cur.launcher.removeAllListeners('close');
  cur.launcher.removeAllListeners('data');
  try {
    fs.writeSync(cur.req.conn, `x${code & 0xff}\n`);
  } catch {
    /* gone: its status goes nowhere */
  }
  current = undefined;
  return performance.now();
}

/** Exit unless the command left nothing behind that the next one could see. */
async function checkLeftovers(cur: Current, code: number): Promise<void> {
  // let what the command closed finish closing (uv's close callbacks, a file's
  // close in the thread pool): a few turns of the loop, 50 ms at most
  let why = base.mustExit();
  const until = Date.now() + SETTLE_MS;
  for (let i = 0; why !== undefined && Date.now() < until; i++) {
    await (i < 3 ? tick() : pause(1));
    why = base.mustExit();
  }
  if (why !== undefined) lastCommand(code, why);
  await resetCommandState();
  const leaked = base.leakedFd([...cur.req.extras, cur.req.conn]);
  if (leaked !== undefined) lastCommand(code, leaked);
}

/** The command is over and its output drained: serve the next one, or exit. */
async function finish(code: number): Promise<void> {
  const cur = current!;
  cur.times.push(performance.now());
  const verdict = commandVerdict(cur);
  if (verdict !== undefined) lastCommand(code, verdict);
  await closeStdio();
  let wrote: number;
  if (!debugging()) {
    // The checks only decide whether this client serves again: the command
    // is over, and its caller does not wait for them.
    wrote = tellStatus(cur, code);
    await checkLeftovers(cur, code);
  } else {
    // FLUX_CLI_POOL_DEBUG: checks first, so that a client that will not serve
    // again can say why on the command's stderr (the status's release puts
    // /dev/null there)
    await checkLeftovers(cur, code);
    if (process.env['FLUX_CLI_POOL_DEBUG'] === '2') {
      // the profile of this command: hand-over, command, drain, checks; and the last reset
      const t = [...cur.times, performance.now()];
      const d = t.slice(1).map((v, i) => (v - t[i]!).toFixed(2));
      fs.writeSync(2, `flux: cli-pool: ms take ${d[0]} run ${d[1]} drain ${d[2]} check ${d[3]} (reset before ${lastReset.toFixed(2)})\n`);
    }
    wrote = tellStatus(cur, code);
  }
  const { launcher } = cur;
  base.restore();
  setOriginPid(process.pid);
  // Wait until the launcher is gone: a signal it gets before it exits would
  // otherwise reach the next command.
  launcher.ref();
  // (it may be gone already: it had its status before the checks)
  const gone = launcher.closed || await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), LAUNCHER_GONE_MS);
    launcher.on('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    launcher.resume();
  });
  if (!gone || process.getActiveResourcesInfo().length > 0) process.exit(0);
  addon.parentDeath(15);
  if (String(process.ppid) !== parent) process.exit(0);
  try {
    fs.writeSync(STATE_FD, 'r');
  } catch {
    process.exit(0); // the module is gone
  }
  lastReset = performance.now() - wrote;
  // from a fresh stack, not inside the promise chain of the last command
  setImmediate(serveNext);
}

serveNext();
