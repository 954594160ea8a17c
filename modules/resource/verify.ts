/**
 * `[resource] verify` (flux-config-resource(5)), as Flux reads it: how a
 * broker's discovered resources are checked against the description of its
 * rank. Per type (`hostname`, `core`, `gpu`, and `default` for the others):
 * `strict` (exactly as described), `allow-extra` (more is fine, less drains),
 * `allow-missing` (less is fine, more drains) or `ignore`. Without the key:
 * hostname strict, core allow-extra, gpu ignore; `true` or `{}`: all strict;
 * `false` (or `noverify = true`): nothing checked. A misfit drains the rank
 * with one line naming what differs.
 */
import { idset, type RankResources } from '../../kernel/api';
import type { LocalReport } from '../../lib/resource/discover';
import type { VerifyMode } from '../../lib/resource/config-schema';

export interface VerifyPolicy {
  hostname: VerifyMode;
  core: VerifyMode;
  gpu: VerifyMode;
}

const FLUX_DEFAULT: VerifyPolicy = { hostname: 'strict', core: 'allow-extra', gpu: 'ignore' };
const IGNORE_ALL: VerifyPolicy = { hostname: 'ignore', core: 'ignore', gpu: 'ignore' };

/** The policy of a `verify` value (already checked against the schema) and `noverify`. */
export function verifyPolicy(verify: unknown, noverify: boolean): VerifyPolicy {
  if (noverify || verify === false) return IGNORE_ALL;
  if (verify === undefined) return FLUX_DEFAULT;
  if (verify === true) return { hostname: 'strict', core: 'strict', gpu: 'strict' };
  const t = verify as Partial<Record<'default' | keyof VerifyPolicy, VerifyMode>>;
  const d = t.default ?? 'strict';
  return { hostname: t.hostname ?? d, core: t.core ?? d, gpu: t.gpu ?? d };
}

const named = (what: string, ids: number[]) => (ids.length === 1 ? `${what}${ids[0]}` : `${what}[${idset.encode(ids)}]`);

/** What of a rank's description its broker does not match under the policy; undefined when it fits. */
export function misfit(rank: number, want: RankResources, got: LocalReport, policy: VerifyPolicy): string | undefined {
  if (policy.hostname !== 'ignore' && got.hostname !== want.hostname) return `rank ${rank} got hostname '${got.hostname}', expected '${want.hostname}'`;
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [type, wanted, have] of [
    ['core', want.cores, got.ncores],
    ['gpu', want.gpus, got.gpus],
  ] as const) {
    const mode = policy[type];
    if (mode === 'ignore') continue;
    const gone = wanted.filter((id) => id >= have);
    const more = [...Array(have).keys()].filter((id) => !wanted.includes(id));
    if (gone.length > 0 && (mode === 'strict' || mode === 'allow-extra')) missing.push(named(type, gone));
    if (more.length > 0 && (mode === 'strict' || mode === 'allow-missing')) extra.push(named(type, more));
  }
  if (missing.length > 0) return `rank ${rank} (${got.hostname}) missing resources: ${missing.join(',')}`;
  if (extra.length > 0) return `rank ${rank} (${got.hostname}) has extra resources: ${extra.join(',')}`;
  return undefined;
}
