/**
 * The submitter's resource limits, as the `rlimit` shell option Flux's CLI always
 * adds (read from /proc/self/limits; -1 = unlimited), and --rlimit=RULE,...
 * (flux-submit(1)): `NAME` propagates the submitter's limit, `-NAME` does not,
 * `NAME=VALUE` sets it (a number, or unlimited/infinity); NAME may be a glob
 * (`-*` propagates nothing). By default the limits below in DEFAULT_PROPAGATED
 * go with the job, as Flux's.
 */
import { RLIMITS, readLimits } from '../../lib/proc-limits';
import { originPid } from '../pool/origin';
import { SubmitOptionError } from './types';
import { onCommandReset } from '../command-reset';

/** what goes with every job unless a rule says otherwise (Flux's set, in its order) */
const DEFAULT_PROPAGATED = ['cpu', 'fsize', 'data', 'stack', 'core', 'nofile', 'as', 'rss', 'nproc'];

export const RLIMIT_NAMES: readonly string[] = Object.keys(RLIMITS);

let cached: Record<string, number> | undefined;
// the limits are the submitter's: the next command may come from another process
onCommandReset(() => {
  cached = undefined;
});

/** every soft limit of the submitter */
function allRlimits(): Record<string, number> {
  if (cached) return cached;
  const out: Record<string, number> = {};
  for (const [name, l] of readLimits(originPid())) out[name] = l.soft;
  cached = out;
  return out;
}

/** The limits that go with a job by default. */
export function currentRlimits(): Record<string, number> {
  const all = allRlimits();
  const out: Record<string, number> = {};
  for (const k of DEFAULT_PROPAGATED) if (all[k] !== undefined) out[k] = all[k]!;
  return out;
}

function glob(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

function matching(name: string): string[] {
  const re = glob(name.toLowerCase());
  const out = RLIMIT_NAMES.filter((n) => re.test(n));
  if (out.length === 0) throw new SubmitOptionError(`Invalid rlimit "${name}"`);
  return out;
}

/** A limit's value as typed: a non-negative integer, or unlimited/infinity/inf (-1). */
export function rlimitValue(v: string): number | undefined {
  const t = v.trim();
  if (t === 'unlimited' || t === 'infinity' || t === 'inf') return -1;
  if (!/^[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Apply --rlimit rules (each a comma-separated list) to the default set. */
export function applyRlimitRules(rules: readonly string[], base: Record<string, number> = currentRlimits()): Record<string, number> {
  const out = { ...base };
  const all = allRlimits();
  for (const arg of rules) {
    for (const rule of arg.split(',')) {
      if (rule === '') continue;
      if (rule.startsWith('-')) {
        for (const n of matching(rule.slice(1))) delete out[n];
      } else if (rule.includes('=')) {
        const i = rule.indexOf('=');
        const name = rule.slice(0, i).toLowerCase();
        if (!RLIMIT_NAMES.includes(name)) throw new SubmitOptionError(`Invalid rlimit "${rule.slice(0, i)}"`);
        const v = rlimitValue(rule.slice(i + 1));
        if (v === undefined) throw new SubmitOptionError(`Invalid value in ${rule}`);
        out[name] = v;
      } else {
        for (const n of matching(rule)) if (all[n] !== undefined) out[n] = all[n]!;
      }
    }
  }
  return out;
}
