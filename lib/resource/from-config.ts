/**
 * Per-rank resources from `[resource] config` entries (flux-config-resource(5)):
 * ranks follow the hosts in the order they first appear; several entries for
 * one host add up (cores, GPUs and properties are merged).
 */
import { hostlist, idset, type RankResources } from '../formats';
import type { ConfigEntry } from './config-schema';

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
