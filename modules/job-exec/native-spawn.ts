/**
 * Start a task with the flux-ts addon's posix_spawn (native/addon.c) instead of
 * child_process: Node forks the whole broker for each spawn, a cost that grows
 * with its memory (2.6 ms per task at ~110 MiB here), while posix_spawn's vfork
 * does not (1.1 ms). The object looks like the part of a ChildProcess the job
 * shell uses: pid, stdin/stdout/stderr streams, stdio[3] (PMI), kill(), and the
 * 'spawn', 'error' and 'close' events ('close' after the exit and the end of
 * both output pipes, as child_process orders them). N.B. a 'data' chunk of
 * stdout/stderr is a view of a reused buffer: copy what must outlive the
 * listener. Without the addon (no C
 * compiler at build time) spawnTask() returns undefined and the shell uses
 * child_process. FLUX_TS_SPAWN=node forces that.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

interface SpawnResult {
  pid?: number;
  stdin?: number;
  stdout?: number;
  stderr?: number;
  pmi?: number;
  errno?: number;
}

interface SpawnAddon {
  spawnTask(file: string, argv: string[], envp: string[], cwd: string, pmi: boolean, onExit: (code: number, signo: number) => void): SpawnResult;
}

let addon: SpawnAddon | null | undefined;

function load(): SpawnAddon | null {
  if (addon === undefined) {
    addon = null;
    if (process.env['FLUX_TS_SPAWN'] !== 'node') {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const a = require(path.join(__dirname, '..', '..', 'native', 'flux-ts.node')) as Partial<SpawnAddon>;
        if (typeof a.spawnTask === 'function') addon = a as SpawnAddon;
      } catch {
        addon = null;
      }
    }
  }
  return addon;
}

/** the name of a number in one of os.constants' tables (ENOENT for 2, SIGTERM for 15) */
function nameOf(table: Readonly<Record<string, number>>, n: number): string | undefined {
  return Object.entries(table).find(([, v]) => v === n)?.[0];
}

export class NativeTask extends EventEmitter {
  pid: number | undefined;
  stdin: net.Socket | null = null;
  stdout: net.Socket | null = null;
  stderr: net.Socket | null = null;
  readonly stdio: Array<net.Socket | null> = [];

  /** kill(signum): the task alone, as ChildProcess.kill() does */
  kill(signal: number | NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.pid === undefined) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Start argv[0] (PATH search with the task's PATH) or undefined when the addon is not there. */
export function spawnTask(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, pmi: boolean): NativeTask | undefined {
  const a = load();
  if (a === null) return undefined;
  const envp: string[] = [];
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') envp.push(`${k}=${v}`);
  const t = new NativeTask();
  let exit: [number | null, NodeJS.Signals | null] | undefined;
  let open = 2;
  const maybeClose = () => {
    if (exit && open === 0) t.emit('close', exit[0], exit[1]);
  };
  // posix_spawnp searches the PATH of the broker; a task's own PATH is what Flux uses
  const file = argv[0] ?? '';
  const r = a.spawnTask(resolveFile(file, env['PATH']), [...argv], envp, cwd, pmi, (code, signo) => {
    exit = code >= 0 ? [code, null] : [null, (nameOf(os.constants.signals, signo) as NodeJS.Signals | undefined) ?? null];
    // as child_process does: nobody reads the task's stdin any more
    t.stdin?.destroy();
    maybeClose();
  });
  if (r.errno !== undefined || r.pid === undefined) {
    const code = nameOf(os.constants.errno, r.errno ?? 0) ?? `E${r.errno}`;
    setImmediate(() => t.emit('error', Object.assign(new Error(`spawn ${file} ${code}`), { code, errno: -(r.errno ?? 0) })));
    return t;
  }
  t.pid = r.pid;
  t.stdin = new net.Socket({ fd: r.stdin!, readable: false, writable: true });
  t.stdout = readSocket(r.stdout!);
  t.stderr = readSocket(r.stderr!);
  for (const s of [t.stdout, t.stderr]) {
    s.on('close', () => {
      open--;
      maybeClose();
    });
  }
  t.stdio.push(t.stdin, t.stdout, t.stderr, r.pmi !== undefined && r.pmi >= 0 ? new net.Socket({ fd: r.pmi }) : null);
  setImmediate(() => t.emit('spawn'));
  return t;
}

/**
 * A task's output pipe read into one reused 64 KiB buffer (net.Socket's onread)
 * rather than a new Buffer per read: at a GiB of output those Buffers are
 * native memory that only a GC gives back. 'data' gets a view of the reused
 * buffer, valid until the listener returns (the shell decodes it at once);
 * pause() and resume() work as usual.
 */
function readSocket(fd: number): net.Socket {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const onread = {
    buffer,
    callback: (n: number, buf: Uint8Array) => {
      s.emit('data', Buffer.from(buf.buffer, buf.byteOffset, n));
    },
  };
  // N.B. the constructor takes onread (Node >= 12.1), @types/node lists it for connect() only
  const s: net.Socket = new net.Socket({ fd, readable: true, writable: false, onread } as net.SocketConstructorOpts);
  return s;
}

/** PATH search with the task's own PATH (execvp semantics for a word without a slash). */
function resolveFile(file: string, pathVar: string | undefined): string {
  if (file.includes('/') || pathVar === undefined) return file;
  for (const dir of pathVar.split(':')) {
    const p = path.join(dir || '.', file);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return file;
}
