/**
 * `[job-manager.prolog]` and `[job-manager.epilog]` (flux-config-job-manager(5)):
 * what the perilog plugin (plugins/jobtap/perilog) runs before a job starts
 * and after it finishes. Checked with the rest of the config at start
 * (file:line on a bad value); perilogSettings() reads the checked tables.
 */
import { fsd, type ConfigSpec } from '../../../kernel/api';

type Obj = Record<string, unknown>;

export type PerilogKind = 'prolog' | 'epilog';

export interface PerilogSettings {
  command: string[];
  /** seconds; 0: none */
  timeout: number;
  /** seconds between SIGTERM and SIGKILL once timed out or canceled */
  killTimeout: number;
  perRank: boolean;
  cancelOnException: boolean;
}

const DEFAULT_TIMEOUT = 1800;
const DEFAULT_KILL_TIMEOUT = 10;

/** "0", "none", "inf" or "infinity": no timeout (Flux's man page says "0 or infinity"); else a finite FSD */
function timeoutSeconds(v: unknown): number | undefined {
  if (v === 'none' || v === 'inf' || v === 'infinity') return 0;
  const s = typeof v === 'string' ? fsd.tryParse(v) : undefined;
  return s !== undefined && Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** a command and its arguments (also [job-manager.housekeeping] command) */
export const commandSpec: ConfigSpec = {
  kind: 'custom',
  what: 'an array of strings, the command and its arguments',
  check: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') && (v[0] as string).length > 0
      ? undefined
      : `must be a non-empty array of strings (the command and its arguments), got ${JSON.stringify(v)}`,
};

const timeout: ConfigSpec = {
  kind: 'custom',
  what: 'a duration (FSD), "0", "infinity" or "none" for no timeout',
  check: (v) => (timeoutSeconds(v) !== undefined ? undefined : `${JSON.stringify(v)} is not a valid timeout (a duration such as "30m", or "0", "infinity" or "none")`),
};

/** seconds (Flux reads a number, its man page says "number of seconds"), or an FSD string */
function killTimeoutSeconds(v: unknown): number | undefined {
  const s = typeof v === 'number' ? v : typeof v === 'string' ? fsd.tryParse(v) : undefined;
  return s !== undefined && Number.isFinite(s) && s >= 0 ? s : undefined;
}

const killTimeout: ConfigSpec = {
  kind: 'custom',
  what: 'seconds (a number) or a duration (FSD)',
  check: (v) => (killTimeoutSeconds(v) !== undefined ? undefined : `${JSON.stringify(v)} is not a valid kill-timeout (seconds, or a duration such as "10s")`),
};

const table: ConfigSpec = {
  kind: 'table',
  keys: {
    command: commandSpec,
    timeout,
    'kill-timeout': killTimeout,
    'per-rank': { kind: 'boolean' },
    'cancel-on-exception': { kind: 'boolean' },
  },
};

/** `[job-manager.perilog] log-ignore`: lines of prolog and epilog output not to log, as regular expressions */
const logIgnore: ConfigSpec = {
  kind: 'custom',
  what: 'an array of regular expressions',
  check: (v) => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return `must be an array of regular expressions (strings), got ${JSON.stringify(v)}`;
    for (const re of v as string[]) {
      try {
        new RegExp(re);
      } catch (e) {
        return `${JSON.stringify(re)} is not a valid regular expression: ${(e as Error).message}`;
      }
    }
    return undefined;
  },
};

export const perilogConfigKeys: Readonly<Record<string, ConfigSpec>> = { prolog: table, epilog: table, perilog: { kind: 'table', keys: { 'log-ignore': logIgnore } } };

/** The patterns of [job-manager.perilog] log-ignore (already checked): an output line one matches is not logged. */
export function perilogLogIgnore(config: Readonly<Obj>): RegExp[] {
  const t = ((config['job-manager'] ?? {}) as Obj)['perilog'] as Obj | undefined;
  const v = t?.['log-ignore'];
  return Array.isArray(v) ? (v as string[]).map((re) => new RegExp(re)) : [];
}

/** The settings of [job-manager.KIND] (already checked), or undefined when it is not configured. */
export function perilogSettings(config: Readonly<Obj>, kind: PerilogKind): PerilogSettings | undefined {
  const t = ((config['job-manager'] ?? {}) as Obj)[kind] as Obj | undefined;
  if (t === undefined) return undefined;
  const cmd = t['command'];
  if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some((x) => typeof x !== 'string')) throw new Error(`job-manager.${kind}.command: must be a non-empty array of strings`);
  const to = t['timeout'] === undefined ? DEFAULT_TIMEOUT : timeoutSeconds(t['timeout']);
  if (to === undefined) throw new Error(`job-manager.${kind}.timeout: ${JSON.stringify(t['timeout'])} is not a valid timeout`);
  const kt = t['kill-timeout'] === undefined ? DEFAULT_KILL_TIMEOUT : killTimeoutSeconds(t['kill-timeout']);
  if (kt === undefined) throw new Error(`job-manager.${kind}.kill-timeout: must be a duration`);
  return {
    command: cmd as string[],
    timeout: to,
    killTimeout: kt,
    perRank: t['per-rank'] === true,
    // a prolog is killed by a job exception unless told otherwise; an epilog (the job is over) never is
    cancelOnException: kind === 'prolog' ? t['cancel-on-exception'] !== false : t['cancel-on-exception'] === true,
  };
}

/** One line when [job-manager.prolog] or .epilog is configured but no loaded plugin runs it. */
export function perilogUnused(config: Readonly<Obj>, loaded: readonly string[]): string | undefined {
  const jm = (config['job-manager'] ?? {}) as Obj;
  const kind = (['prolog', 'epilog'] as const).find((k) => jm[k] !== undefined);
  if (kind === undefined || loaded.some((n) => n === 'perilog.so' || n === 'perilog')) return undefined;
  return `[job-manager.${kind}] is configured but perilog.so is not loaded: add plugins = [ { load = "perilog.so" } ] to [job-manager]`;
}
