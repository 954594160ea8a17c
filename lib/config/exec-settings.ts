/**
 * The `[exec]` settings of a job's life that job-exec and job-manager both
 * read (flux-config-exec(5)), parsed once here: how a job is ended after a
 * fatal exception (`term-signal`, `kill-signal`, `kill-timeout`,
 * `max-kill-count`, `max-kill-timeout`), when a job whose shells do not all
 * start is given up on (`barrier-timeout`), and when a late start extends a
 * job's time limit (`max-start-delay-percent`). job-exec sends the signals;
 * job-manager's backstop (backstopTiming) sends kill-signal again from 5 x
 * kill-timeout on, backing off, and drains the job's nodes when the job
 * still runs after the last.
 */
import * as os from 'node:os';
import { fsd } from '../formats';

/** `SIGTERM`, `TERM` or `15` as a signal number; undefined if it is none */
export function signalNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 && v < 65 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return signalNumber(Number(v));
  const name = v.toUpperCase().startsWith('SIG') ? v.toUpperCase() : `SIG${v.toUpperCase()}`;
  return (os.constants.signals as Record<string, number | undefined>)[name];
}

export interface ExecSettings {
  termSignal: number;
  killSignal: number;
  killTimeoutMs: number;
  /** kill-signals sent before the job's nodes are drained as unkillable */
  maxKillCount: number;
  /** when set: keep sending until this long after the termination began, then drain (instead of maxKillCount) */
  maxKillTimeoutMs?: number;
  /** `barrier-timeout`: how long a multi-node job's shells may take to all start once the first has; 0: no limit */
  barrierTimeoutMs: number;
  /** `max-start-delay-percent`: a start later than this share of the job's duration after its alloc extends its time limit by the delay */
  maxStartDelayPercent: number;
  /** `[exec.testexec] allow-guests`: a guest's job with system.exec.test is simulated; without it, it runs for real (as Flux's) */
  testexecAllowGuests: boolean;
}

/** Flux's: SIGTERM, SIGKILL, "5s", 8 kill-signals */
export const DEFAULT_EXEC: ExecSettings = { termSignal: 15, killSignal: 9, killTimeoutMs: 5000, maxKillCount: 8, barrierTimeoutMs: 30 * 60_000, maxStartDelayPercent: 25, testexecAllowGuests: false };

/** the settings of a config document (already checked against job-exec's schema) */
export function execSettings(config: Readonly<Record<string, unknown>>): ExecSettings {
  const exec = (config['exec'] ?? {}) as Record<string, unknown>;
  const t = exec['kill-timeout'];
  const secs = typeof t === 'string' ? fsd.tryParse(t) : undefined;
  const mt = exec['max-kill-timeout'];
  const maxSecs = typeof mt === 'string' ? fsd.tryParse(mt) : undefined;
  const count = exec['max-kill-count'];
  const bt = exec['barrier-timeout'];
  const barrierSecs = typeof bt === 'string' ? fsd.tryParse(bt) : undefined;
  return {
    termSignal: signalNumber(exec['term-signal']) ?? DEFAULT_EXEC.termSignal,
    killSignal: signalNumber(exec['kill-signal']) ?? DEFAULT_EXEC.killSignal,
    killTimeoutMs: secs !== undefined && Number.isFinite(secs) ? secs * 1000 : DEFAULT_EXEC.killTimeoutMs,
    maxKillCount: typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : DEFAULT_EXEC.maxKillCount,
    barrierTimeoutMs: barrierSecs !== undefined && Number.isFinite(barrierSecs) ? barrierSecs * 1000 : DEFAULT_EXEC.barrierTimeoutMs,
    maxStartDelayPercent: typeof exec['max-start-delay-percent'] === 'number' ? exec['max-start-delay-percent'] : DEFAULT_EXEC.maxStartDelayPercent,
    testexecAllowGuests: (exec['testexec'] as Record<string, unknown> | undefined)?.['allow-guests'] === true,
    ...(maxSecs !== undefined && Number.isFinite(maxSecs) ? { maxKillTimeoutMs: maxSecs * 1000 } : {}),
  };
}

/** the longest wait between two kill-signals of the backstop */
export const MAX_KILL_INTERVAL_MS = 300_000;

/** the backstop's first kill-signal (after the exception) and the interval that then doubles, as Flux's */
export function backstopTiming(k: ExecSettings): { firstMs: number; intervalMs: number } {
  return { firstMs: 5 * k.killTimeoutMs, intervalMs: Math.max(1, k.killTimeoutMs) };
}

/**
 * Seconds from a job's fatal exception to the last kill-signal before its
 * nodes are drained (Flux's effective-max-kill-timeout): max-kill-timeout if
 * set, else the backstop's schedule (5 x kill-timeout, then kill-timeout
 * doubling, at most 5 minutes) over max-kill-count signals.
 */
export function effectiveMaxKillSeconds(k: ExecSettings): number {
  if (k.maxKillTimeoutMs !== undefined) return k.maxKillTimeoutMs / 1000;
  const { firstMs, intervalMs } = backstopTiming(k);
  let t = firstMs;
  let interval = intervalMs;
  for (let i = 1; i < k.maxKillCount; i++) {
    t += interval;
    interval = Math.min(interval * 2, MAX_KILL_INTERVAL_MS);
  }
  return t / 1000;
}
