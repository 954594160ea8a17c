/**
 * job-exec's config table, `[exec]` (flux-config-exec(5)):
 *
 *   shell-plugins = ["/site/shell/plugin.js", ...]
 *   imp = "/usr/local/libexec/flux-ts/flux-imp"
 *
 * shell-plugins: job-shell plugins every job of the instance loads after the
 * built-ins (and before a job's own `-o plugin`), in order; absolute paths. A
 * file that does not load fails each job with that one line, as `-o plugin` does.
 * imp: the IMP (flux-imp(8)) through which a guest's job runs as its submitter;
 * without it such a job is refused.
 * kill-timeout, term-signal, kill-signal: a job's end after a fatal exception
 * (flux cancel, a timeout): term-signal to its tasks, then kill-signal after
 * kill-timeout (as Flux: SIGTERM, SIGKILL, "5s"; a timeout sends SIGALRM first).
 */
import * as os from 'node:os';
import { fsd, type ConfigSchema } from '../../kernel/api';

/** `SIGTERM`, `TERM` or `15` as a signal number; undefined if it is none */
function signalNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 && v < 65 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return signalNumber(Number(v));
  const name = v.toUpperCase().startsWith('SIG') ? v.toUpperCase() : `SIG${v.toUpperCase()}`;
  return (os.constants.signals as Record<string, number | undefined>)[name];
}

const signalSpec = {
  kind: 'custom' as const,
  what: 'a signal name or number',
  check: (v: unknown) => (signalNumber(v) !== undefined ? undefined : `${JSON.stringify(v)} is not a signal (e.g. "SIGTERM" or 15)`),
};

export const execConfigSchema: ConfigSchema = {
  exec: {
    kind: 'table',
    keys: {
      'shell-plugins': {
        kind: 'custom',
        what: 'a list of absolute paths of shell plugin files',
        check: (v) =>
          Array.isArray(v) && v.every((x) => typeof x === 'string' && x.startsWith('/'))
            ? undefined
            : 'must be a list of absolute paths of shell plugin files',
      },
      imp: {
        kind: 'custom',
        what: 'the absolute path of flux-imp',
        check: (v) => (typeof v === 'string' && v.startsWith('/') ? undefined : 'must be the absolute path of flux-imp (npm run install-imp)'),
      },
      'kill-timeout': { kind: 'fsd', finite: true },
      'term-signal': signalSpec,
      'kill-signal': signalSpec,
    },
  },
};

/** How a job is ended after a fatal exception ([exec] kill-timeout, term-signal, kill-signal). */
export interface KillSettings {
  termSignal: number;
  killSignal: number;
  killTimeoutMs: number;
}

export const DEFAULT_KILL: KillSettings = { termSignal: 15, killSignal: 9, killTimeoutMs: 5000 };

/** the kill settings of a config document (already checked against the schema) */
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

export { impPath } from '../../lib/config/imp';

/** the site's shell plugin files of a config document */
export function sitePlugins(config: Readonly<Record<string, unknown>>): string[] {
  const exec = config['exec'] as { 'shell-plugins'?: unknown } | undefined;
  const v = exec?.['shell-plugins'];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
