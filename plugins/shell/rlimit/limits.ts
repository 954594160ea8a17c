/**
 * The shell option `rlimit` (flux-shell-options(7)): {NAME: VALUE} soft limits
 * set in each task before it runs (flux-task does the setrlimit, so nothing
 * of the broker changes). VALUE -1 (or "unlimited"/"infinity") is no limit.
 * A value above the hard limit becomes the hard limit, with a warning, as
 * Flux's shell does. The submitting CLI adds the submitter's own limits
 * (flux-submit(1) --rlimit), so a job runs with the limits it was submitted with.
 */
import { RLIMITS, readLimits } from '../../../lib/proc-limits';

let hardCache: Map<string, number> | undefined;

/** The broker's hard limits (what a task may raise its soft limit to), -1 = unlimited; read once. */
function hardLimits(): Map<string, number> {
  hardCache ??= new Map([...readLimits()].map(([name, l]) => [name, l.hard]));
  return hardCache;
}

export interface RlimitPlan {
  /** [RLIMIT number, soft value (-1 unlimited)] for flux-task */
  rules: Array<[number, number]>;
  /** shell log lines (level 4, WARN) */
  warnings: string[];
}

/** The value of one rlimit entry, or undefined when it is not a limit. */
export function rlimitValue(v: unknown): number | undefined {
  if (v === 'unlimited' || v === 'infinity') return -1;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -1) return v;
  return undefined;
}

/** Plan the `rlimit` option; a bad entry throws (the shell fails: ingest refuses them first). */
export function planRlimits(opt: unknown): RlimitPlan {
  const plan: RlimitPlan = { rules: [], warnings: [] };
  if (opt === undefined) return plan;
  if (typeof opt !== 'object' || opt === null || Array.isArray(opt)) throw new Error('rlimit: the option must be an object {NAME: VALUE}');
  const hard = hardLimits();
  for (const [name, raw] of Object.entries(opt as Record<string, unknown>)) {
    const r = RLIMITS[name];
    if (!r) throw new Error(`rlimit: invalid rlimit "${name}"`);
    let v = rlimitValue(raw);
    if (v === undefined) throw new Error(`rlimit: invalid value in ${name}=${JSON.stringify(raw)}`);
    const max = hard.get(name);
    if (max !== undefined && max >= 0 && (v < 0 || v > max)) {
      plan.warnings.push(`rlimit: ${name} exceeds current max, raising value to hard limit`);
      v = max;
    }
    plan.rules.push([r[0], v]);
  }
  return plan;
}
