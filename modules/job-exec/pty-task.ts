/**
 * A task on a pseudo-terminal (shell option `pty`: `-o pty` for rank 0,
 * `-o pty.ranks=IDSET|all`, `-o pty.interactive` for `flux alloc` and
 * `flux run -o pty.interactive`): spawned with @lydell/node-pty in its own
 * session, its terminal output read raw, its input and window size set by the
 * attached client. Loaded only when a job asks for a pty.
 */
import type { IPty } from '@lydell/node-pty';

export interface PtyOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

export interface PtyTask {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  onData(cb: (data: string) => void): void;
  /** status as a shell reports it: the exit code, or 128+signal */
  onExit(cb: (status: number) => void): void;
}

export function spawnPty(argv: readonly string[], o: PtyOptions): PtyTask {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pty = require('@lydell/node-pty') as typeof import('@lydell/node-pty');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env)) if (typeof v === 'string') env[k] = v;
  const p: IPty = pty.spawn(argv[0] ?? '', argv.slice(1), {
    name: env['TERM'] ?? 'xterm',
    cols: o.cols ?? 80,
    rows: o.rows ?? 25,
    cwd: o.cwd,
    env,
  });
  return {
    pid: p.pid,
    write: (d) => p.write(d),
    resize: (c, r) => {
      try {
        p.resize(c, r);
      } catch {
        /* exited */
      }
    },
    onData: (cb) => void p.onData(cb),
    onExit: (cb) => void p.onExit((e) => cb(e.signal ? 128 + e.signal : e.exitCode)),
  };
}

/** The task ranks of the `pty` shell option, or undefined when there is none. */
export function ptyRanks(opt: unknown, size: number, decode: (s: string) => number[]): Set<number> | undefined {
  if (opt === undefined || opt === false || opt === null) return undefined;
  const ranks = typeof opt === 'object' ? (opt as { ranks?: unknown }).ranks : undefined;
  if (ranks === 'all') return new Set(Array.from({ length: size }, (_, i) => i));
  if (typeof ranks === 'string') return new Set(decode(ranks));
  if (typeof ranks === 'number') return new Set([ranks]);
  return new Set([0]);
}
