/**
 * Inactive job purge (flux-config-job-manager(5)): the `[job-manager]` table's
 * `inactive-age-limit` (FSD) and `inactive-num-limit` (integer), and the
 * selection of the inactive jobs a limit purges, oldest first.
 */
import { einval } from '../../kernel/api';
import { fsd } from '../../lib/formats';
import type { Job } from './job';

/** inactive jobs kept when the config sets no inactive-num-limit (memory stays bounded) */
export const DEFAULT_NUM_LIMIT = 10000;

export interface PurgeLimits {
  /** seconds; undefined = no age limit */
  ageLimit?: number;
  /** undefined = no count limit */
  numLimit?: number;
}

type Obj = Record<string, unknown>;

/** The purge limits from the broker config (defaults: no age limit, DEFAULT_NUM_LIMIT). */
export function purgeConfig(config: Readonly<Obj>): PurgeLimits {
  const table = config['job-manager'];
  const out: PurgeLimits = { numLimit: DEFAULT_NUM_LIMIT };
  if (table === undefined) return out;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) throw einval('[job-manager] must be a table');
  const t = table as Obj;
  const age = t['inactive-age-limit'];
  if (age !== undefined) {
    const secs = typeof age === 'string' ? fsd.tryParse(age) : undefined;
    if (secs === undefined) throw einval(`job-manager.inactive-age-limit: invalid FSD ${JSON.stringify(age)}`);
    if (secs !== Infinity) out.ageLimit = secs;
  }
  const num = t['inactive-num-limit'];
  if (num !== undefined) {
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) {
      throw einval(`job-manager.inactive-num-limit: must be an integer >= 0, got ${JSON.stringify(num)}`);
    }
    out.numLimit = num;
  }
  return out;
}

/**
 * The inactive jobs (iterated oldest inactive first) that exceed the limits:
 * older than ageLimit seconds, or beyond the numLimit most recent. A waitable
 * job not yet reaped by `flux job wait` is kept. At most max jobs (0 = all).
 */
export function selectPurge(inactive: Iterable<Job>, total: number, limits: PurgeLimits, now: number, max = 0): Job[] {
  const out: Job[] = [];
  let remaining = total;
  for (const j of inactive) {
    if (max > 0 && out.length >= max) break;
    const overNum = limits.numLimit !== undefined && remaining > limits.numLimit;
    const overAge = limits.ageLimit !== undefined && now - (j.t_inactive ?? 0) > limits.ageLimit;
    if (!overNum && !overAge) break;
    if (j.waitable) continue;
    out.push(j);
    remaining--;
  }
  return out;
}
