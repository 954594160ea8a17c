/**
 * Resources described by the site (flux-config-resource(5)): from the
 * `[resource] config` entries or from an R document. Ranks follow the hosts in
 * the order they first appear; several entries for one host add up (cores,
 * GPUs and properties are merged). A host may have no broker at all: a size-1
 * instance can describe a cluster, whose other ranks stay offline (down).
 */
import { hostlist, idset, rv1Expand, type RankResources, type Rv1 } from '../../kernel/api';

export { fromConfigEntries } from '../../lib/resource/from-config';

/** An R document (RFC 20 version 1) as per-rank resources; throws with one line. */
export function fromR(doc: unknown, what: string): RankResources[] {
  const R = doc as Rv1;
  if (typeof R !== 'object' || R === null || R.version !== 1 || !Array.isArray(R.execution?.R_lite)) {
    throw new Error(`${what}: not an R document (RFC 20 version 1)`);
  }
  let ranks: RankResources[];
  try {
    ranks = rv1Expand(R);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
  }
  if (ranks.length === 0) throw new Error(`${what}: R has no resources`);
  for (const r of ranks) if (r.hostname === '') throw new Error(`${what}: R nodelist does not name every rank`);
  return ranks;
}

/** Ranks named by an exclude value: an idset of ranks or a hostlist of the described hosts; throws (one line) for ranks or hosts the instance does not have. */
export function excludedRanks(exclude: string | undefined, ranks: readonly RankResources[]): number[] {
  if (exclude === undefined || exclude === '') return [];
  if (/^[\d,-]+$/.test(exclude)) {
    const ids = idset.decode(exclude);
    const known = new Set(ranks.map((r) => r.rank));
    const beyond = ids.filter((r) => !known.has(r));
    if (beyond.length > 0) throw new Error(`resource.exclude: ${idset.encode(beyond)}: not a rank of the instance (ranks ${idset.encode([...known].sort((a, b) => a - b))})`);
    return ids;
  }
  const hosts = new Set(hostlist.expand(exclude));
  const out = ranks.filter((r) => hosts.has(r.hostname)).map((r) => r.rank);
  const known = new Set(ranks.map((r) => r.hostname));
  const unknown = [...hosts].filter((h) => !known.has(h));
  if (unknown.length > 0) throw new Error(`resource.exclude: ${unknown.join(',')}: not a host of the instance`);
  return out;
}
