/**
 * Resources described by the site (flux-config-resource(5)): from the
 * `[resource] config` entries or from an R document. Ranks follow the hosts in
 * the order they first appear; several entries for one host add up (cores,
 * GPUs and properties are merged). A host may have no broker at all: a size-1
 * instance can describe a cluster, whose other ranks stay offline (down).
 */
import { hostlist, idset, rv1Expand, type RankResources, type Rv1 } from '../../kernel/api';
import type { ConfigEntry } from './config';

export function fromConfigEntries(entries: readonly ConfigEntry[]): RankResources[] {
  const byHost = new Map<string, { cores: Set<number>; gpus: Set<number>; props: Set<string> }>();
  for (const e of entries) {
    for (const host of hostlist.expand(e.hosts)) {
      let h = byHost.get(host);
      if (!h) byHost.set(host, (h = { cores: new Set(), gpus: new Set(), props: new Set() }));
      for (const c of e.cores ? idset.decode(e.cores) : []) h.cores.add(c);
      for (const g of e.gpus ? idset.decode(e.gpus) : []) h.gpus.add(g);
      for (const p of e.properties ?? []) h.props.add(p);
    }
  }
  let rank = 0;
  const out: RankResources[] = [];
  for (const [hostname, h] of byHost) {
    const r: RankResources = {
      rank: rank++,
      hostname,
      cores: [...h.cores].sort((a, b) => a - b),
      gpus: [...h.gpus].sort((a, b) => a - b),
    };
    if (h.props.size > 0) r.properties = [...h.props];
    out.push(r);
  }
  return out;
}

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

/** Ranks named by an exclude value: an idset of ranks or a hostlist of the described hosts. */
export function excludedRanks(exclude: string | undefined, ranks: readonly RankResources[]): number[] {
  if (exclude === undefined || exclude === '') return [];
  if (/^[\d,-]+$/.test(exclude)) return idset.decode(exclude);
  const hosts = new Set(hostlist.expand(exclude));
  const out = ranks.filter((r) => hosts.has(r.hostname)).map((r) => r.rank);
  const known = new Set(ranks.map((r) => r.hostname));
  const unknown = [...hosts].filter((h) => !known.has(h));
  if (unknown.length > 0) throw new Error(`resource.exclude: ${unknown.join(',')}: not a host of the instance`);
  return out;
}
