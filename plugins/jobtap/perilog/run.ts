/**
 * One prolog or epilog process: spawned asynchronously (own process group,
 * cwd /), its output split into lines and bounded, killed on timeout
 * (SIGTERM, then SIGKILL after the kill timeout) or when asked. The broker
 * never waits on it: exit is a callback.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { longTimeout, type LongTimer } from '../../../kernel/api';

/** longest line logged (longer ones are cut) */
const MAX_LINE = 1024;
/** lines logged per process; the rest are counted and dropped */
const MAX_LINES = 100;

export interface ExitInfo {
  /** wait status (exit code << 8, or the signal number) */
  status: number;
  /** it ran past its timeout and was killed */
  timedOut: boolean;
  /** it could not be started (no such file ...) */
  error?: string;
}

export interface RunOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** seconds, 0: none */
  timeout: number;
  /** seconds from SIGTERM to SIGKILL */
  killTimeout: number;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  onExit(info: ExitInfo): void;
}

export interface Running {
  /** SIGTERM, SIGKILL after the kill timeout (now: SIGKILL at once) */
  kill(now?: boolean): void;
}

export function runProcess(o: RunOptions): Running {
  let timedOut = false;
  let done = false;
  let timer: LongTimer | undefined;
  let killTimer: LongTimer | undefined;
  let lines = 0;
  let dropped = 0;
  const child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: '/', env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signal = (sig: NodeJS.Signals) => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const kill = (now = false) => {
    if (done) return;
    if (now) {
      signal('SIGKILL');
      return;
    }
    signal('SIGTERM');
    killTimer ??= longTimeout(() => signal('SIGKILL'), o.killTimeout * 1000).unref();
  };
  const finish = (info: ExitInfo) => {
    if (done) return;
    done = true;
    timer?.clear();
    killTimer?.clear();
    if (dropped > 0) o.onLine('stderr', `(${dropped} more lines of output dropped)`);
    o.onExit(info);
  };
  const line = (stream: 'stdout' | 'stderr', text: string) => {
    if (lines >= MAX_LINES) {
      dropped++;
      return;
    }
    lines++;
    o.onLine(stream, text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}...` : text);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    const s = child[stream]!;
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      // a line without an end is cut, not kept growing
      if (partial.length > MAX_LINE) {
        line(stream, partial);
        partial = '';
      }
      for (const p of parts) line(stream, p);
    });
    s.on('end', () => {
      if (partial !== '') line(stream, partial);
      partial = '';
    });
  }
  child.on('error', (e: NodeJS.ErrnoException) => finish({ status: 127 << 8, timedOut: false, error: `${o.argv[0]}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}` }));
  const statusOf = (code: number | null, sig: NodeJS.Signals | null) => (sig ? (os.constants.signals[sig] ?? 0) : (code ?? 0) << 8);
  // its output is read to the end, unless something it left behind holds the pipes open
  child.on('exit', (code, sig) => {
    const st = statusOf(code, sig);
    setTimeout(() => finish({ status: st, timedOut }), 1000).unref();
  });
  child.on('close', (code, sig) => finish({ status: statusOf(code, sig), timedOut }));
  if (o.timeout > 0) {
    timer = longTimeout(() => {
      timedOut = true;
      kill();
    }, o.timeout * 1000).unref();
  }
  return { kill };
}
