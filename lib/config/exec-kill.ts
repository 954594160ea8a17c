/**
 * `[exec] term-signal`, `kill-signal` and `kill-timeout` of a config document
 * (flux-config-exec(5)): how a job is ended after a fatal exception. job-exec
 * sends the signals; job-manager's SIGKILL backstop waits past the timeout.
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

export interface KillSettings {
  termSignal: number;
  killSignal: number;
  killTimeoutMs: number;
}

/** Flux's: SIGTERM, SIGKILL, "5s" */
export const DEFAULT_KILL: KillSettings = { termSignal: 15, killSignal: 9, killTimeoutMs: 5000 };

/** the settings of a config document (already checked against job-exec's schema) */
export function killSettings(config: Readonly<Record<string, unknown>>): KillSettings {
  const exec = (config['exec'] ?? {}) as Record<string, unknown>;
  const t = exec['kill-timeout'];
  const secs = typeof t === 'string' ? fsd.tryParse(t) : undefined;
  return {
    termSignal: signalNumber(exec['term-signal']) ?? DEFAULT_KILL.termSignal,
    killSignal: signalNumber(exec['kill-signal']) ?? DEFAULT_KILL.killSignal,
    killTimeoutMs: secs !== undefined && Number.isFinite(secs) ? secs * 1000 : DEFAULT_KILL.killTimeoutMs,
  };
}
