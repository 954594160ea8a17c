/**
 * A task on a pseudo-terminal, the mechanism (the pty plugin,
 * plugins/shell/pty, decides which tasks: shell option `pty`): a new terminal whose master the shell reads
 * and writes, the task in a session of its own with the terminal as its
 * controlling one, its window size set by the attached client. It is started
 * like every task, through its own parent flux-task (native-spawn.ts); a build
 * without the addon falls back to @lydell/node-pty (the broker is then the
 * task's parent).
 */
import * as os from 'node:os';
import type { IPty } from '@lydell/node-pty';
import { spawnTask, type NativeTask } from './native-spawn';
import type { ImpUser } from './imp';
import { Utf8Chunker } from '../../lib/io-data';

export interface PtyOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** CPUs the task is bound to before it runs */
  cpus?: readonly number[];
  /** soft limits set before it runs (native-spawn.ts SpawnOptions.rlimits) */
  rlimits?: ReadonlyArray<readonly [number, number]>;
  /** run as the job's submitter through the IMP (native-spawn.ts) */
  asUser?: ImpUser;
}

export interface PtyTask {
  /** the task's pid (its process group); undefined until it runs */
  readonly pid: number | undefined;
  /** input for the terminal (bytes as they are; the fallback without the addon takes text only) */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** signal the task's process group */
  kill(signum: number): void;
  /** its output: bytes (whole UTF-8 characters when it is text; a view, valid during the call), or text */
  onData(cb: (data: string | Buffer) => void): void;
  /** status as a shell reports it: the exit code, or 128+signal */
  onExit(cb: (status: number) => void): void;
  /** the task runs (pid known); or it could not start (error) */
  onSpawn(cb: (err?: NodeJS.ErrnoException) => void): void;
  /** the task's parent (flux-task) died first: its pid, code or signal */
  onParentLost(cb: (parentPid: number | undefined, code: number, signo: number) => void): void;
  /** the kill escalation's last step for the task's parent (native-spawn.ts reviveParent) */
  reviveParent(): void;
}

export function spawnPty(argv: readonly string[], o: PtyOptions): PtyTask {
  const cols = o.cols ?? 80;
  const rows = o.rows ?? 25;
  const t = spawnTask(argv, o.env, o.cwd, { pmi: false, pty: { cols, rows }, cpus: o.cpus, rlimits: o.rlimits, asUser: o.asUser });
  return t ? nativePty(t) : nodePty(argv, o, cols, rows);
}

function nativePty(t: NativeTask): PtyTask {
  return {
    get pid() {
      return t.pid;
    },
    write: (d) => {
      if (t.terminal && !t.terminal.destroyed) t.terminal.write(d);
    },
    resize: (c, r) => t.resize(c, r),
    kill: (s) => void t.kill(s),
    onData: (cb) => {
      // a character split between two reads goes out whole with the second
      const chunker = new Utf8Chunker();
      t.terminal?.on('data', (b: Buffer) => {
        const piece = chunker.write(b);
        if (piece.length > 0) cb(piece);
      });
      t.terminal?.on('end', () => {
        const rest = chunker.end();
        if (rest.length > 0) cb(rest);
      });
    },
    onExit: (cb) => {
      t.once('close', (code: number | null, sig: NodeJS.Signals | null) => cb(sig ? 128 + (os.constants.signals[sig] ?? 0) : (code ?? 0)));
    },
    onSpawn: (cb) => {
      let settled = false;
      t.once('spawn', () => {
        if (!settled) cb();
        settled = true;
      });
      t.once('error', (e: NodeJS.ErrnoException) => {
        if (!settled) cb(e);
        settled = true;
      });
    },
    onParentLost: (cb) => void t.once('parent-lost', (code: number, signo: number) => cb(t.parentPid, code, signo)),
    reviveParent: () => t.reviveParent(),
  };
}

/** without the addon: node-pty forks the broker for the task */
function nodePty(argv: readonly string[], o: PtyOptions, cols: number, rows: number): PtyTask {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pty = require('@lydell/node-pty') as typeof import('@lydell/node-pty');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env)) if (typeof v === 'string') env[k] = v;
  const p: IPty = pty.spawn(argv[0] ?? '', argv.slice(1), { name: env['TERM'] ?? 'xterm', cols, rows, cwd: o.cwd, env });
  return {
    pid: p.pid,
    write: (d) => p.write(typeof d === 'string' ? d : d.toString('utf8')),
    resize: (c, r) => {
      try {
        p.resize(c, r);
      } catch {
        /* exited */
      }
    },
    kill: (s) => {
      try {
        process.kill(-p.pid, s);
      } catch {
        /* gone */
      }
    },
    onData: (cb) => void p.onData(cb),
    onExit: (cb) => void p.onExit((e) => cb(e.signal ? 128 + e.signal : e.exitCode)),
    onSpawn: (cb) => setImmediate(cb),
    onParentLost: () => undefined,
    reviveParent: () => undefined,
  };
}
