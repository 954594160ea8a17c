/**
 * A pipe reader under the test's control, for commands whose stdout is a pipe:
 * one that reads at once (fast), one that reads only once the command has
 * nothing left to do but write (slow), and one that takes the first chunk and
 * closes the pipe (`| head -1`).
 *
 * "Nothing left to do but write" is read off /proc, not guessed with a sleep:
 * every Node process that holds the pipe as its fd 1 (the command, or the warm
 * client that runs it) has exited, or waits in epoll for fd 1 to become
 * writable (POLLOUT). A caller adds its own condition (the job is inactive).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLUX, ROOT } from './flux';

export type ReaderKind = 'fast' | 'slow' | 'head';

export interface PipeResult {
  /** what the reader got */
  out: Buffer;
  stderr: string;
  code: number;
  /** pids of the Node processes seen writing (slow reader only) */
  writers: number[];
  /** the pid we started (`flux`: the launcher, or the Node it became) */
  pid: number;
}

export interface ReaderOpts {
  env?: NodeJS.ProcessEnv;
  /** the caller's part of "done": polled with the writer's */
  ready?: () => boolean;
  /** wait for the Node writers to wait on fd 1 (default); false: ready() alone decides */
  watchNode?: boolean;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readlink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** Node processes whose fd 1 is `link` (what /proc shows for it: the FIFO's path). */
function nodeWriters(link: string): number[] {
  const out: number[] = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    if (readlink(`/proc/${ent}/fd/1`) !== link) continue;
    if (!/^node/.test(path.basename(readlink(`/proc/${ent}/exe`) ?? ''))) continue;
    out.push(Number(ent));
  }
  return out;
}

/** Does process `pid` wait for its fd 1 to become writable (POLLOUT in one of its epoll sets)? */
function waitsToWrite(pid: number): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return true; // gone
  }
  for (const fd of fds) {
    if (readlink(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:[eventpoll]') continue;
    let info: string;
    try {
      info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    const m = /^tfd:\s+1 events:\s+([0-9a-f]+)/m.exec(info);
    if (m && (parseInt(m[1]!, 16) & 0x4) !== 0) return true;
  }
  return false;
}

/** Run `flux ARGS` (or `argv` when given as a full command) with its stdout read by a reader of `kind`. */
export async function readFlux(args: readonly string[], kind: ReaderKind, opts: ReaderOpts = {}): Promise<PipeResult> {
  return readCommand([FLUX, ...args], kind, opts);
}

export async function readCommand(argv: readonly string[], kind: ReaderKind, opts: ReaderOpts = {}): Promise<PipeResult> {
  // A real pipe, as a shell makes (Node's own 'pipe' stdio is a socketpair): a FIFO
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-ts-pipe-'));
  const fifo = path.join(dir, 'stdout');
  const mk = spawnSync('mkfifo', ['-m', '0600', fifo]);
  if (mk.status !== 0) throw new Error(`mkfifo: ${String(mk.stderr)}`);
  const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const wfd = fs.openSync(fifo, fs.constants.O_WRONLY);
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...opts.env },
      stdio: ['ignore', wfd, 'pipe'],
    });
  } finally {
    fs.closeSync(wfd);
  }
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, sig) => resolve(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
  });
  let gone = false;
  child.on('exit', () => (gone = true));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const chunks: Buffer[] = [];
  const writers = new Set<number>();
  let reader: net.Socket | undefined;
  /** read the pipe to its end (every writer closed it), or only its first chunk */
  const readAll = (firstOnly: boolean) =>
    new Promise<void>((resolve) => {
      reader = new net.Socket({ fd: rfd, readable: true, writable: false });
      reader.on('data', (d: Buffer) => {
        chunks.push(d);
        if (firstOnly) reader!.destroy();
      });
      reader.on('error', () => undefined);
      reader.on('close', () => resolve());
    });
  try {
    if (kind === 'slow') {
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      for (;;) {
        if (Date.now() > deadline) throw new Error('the command never came to wait for its reader');
        if (gone) break;
        const pids = opts.watchNode === false ? [] : nodeWriters(fifo);
        for (const p of pids) writers.add(p);
        const waiting = opts.watchNode === false || (pids.length > 0 && pids.every(waitsToWrite));
        if (waiting && (opts.ready?.() ?? true)) break;
        await sleep(50);
      }
    }
    await readAll(kind === 'head');
    const code = await exited;
    return { out: Buffer.concat(chunks), stderr, code, writers: [...writers], pid: child.pid! };
  } finally {
    clearTimeout(timer);
    if (!gone) child.kill('SIGKILL');
    if (reader) reader.destroy();
    else fs.closeSync(rfd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
