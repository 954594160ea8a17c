/**
 * The administrative view shared by `flux resource status` and `flux resource
 * drain` (list mode): per-rank state from resource.status plus the allocated
 * ranks from resource.sched-status and the ranks in housekeeping from
 * job-manager.stats-get.
 */
import { hostlist, idset, rv1Expand, type Rv1 } from '../../../kernel/api';
import type { Client } from '../../api/client';
import type { SchedStatus } from './common';

export interface StatusReply {
  R: Rv1;
  online: string;
  offline: string;
  /** ranks unresponsive for tbon.torpid_max */
  torpid?: string;
  drain: Record<string, { timestamp: number; reason: string }>;
  exclude: string;
}

export interface RankState {
  rank: number;
  hostname: string;
  online: boolean;
  drained?: { timestamp: number; reason: string };
  allocated: boolean;
  excluded: boolean;
  torpid: boolean;
  /** still allocated to the housekeeping of an ended job */
  housekeeping: boolean;
  /** the rank's properties in R (flux resource status/drain -q: a queue's ranks have all it requires) */
  properties: readonly string[];
}

/** the ranks job-manager's housekeeping still holds (none without a job-manager) */
async function housekeepingRanks(h: Client): Promise<Set<number>> {
  try {
    const st = await h.rpc<{ housekeeping?: { running?: Record<string, { allocated?: string }> } }>('job-manager.stats-get', {});
    return new Set(Object.values(st.housekeeping?.running ?? {}).flatMap((j) => idset.decode(j.allocated ?? '')));
  } catch {
    return new Set();
  }
}

export async function fetchRankStates(h: Client): Promise<RankState[]> {
  const st = await h.rpc<StatusReply>('resource.status', {}, { nodeid: 0 });
  let allocated = new Set<number>();
  try {
    const ss = await h.rpc<SchedStatus>('resource.sched-status', {}, { nodeid: 0 });
    allocated = new Set(rv1Expand(ss.allocated).map((r) => r.rank));
  } catch {
    /* no scheduler view */
  }
  const hk = await housekeepingRanks(h);
  const online = new Set(idset.decode(st.online ?? ''));
  const excluded = new Set(idset.decode(st.exclude ?? ''));
  const torpid = new Set(idset.decode(st.torpid ?? ''));
  const drained = new Map<number, { timestamp: number; reason: string }>();
  for (const [ids, e] of Object.entries(st.drain ?? {})) for (const r of idset.decode(ids)) drained.set(r, e);
  return rv1Expand(st.R).map((r) => ({
    rank: r.rank,
    hostname: r.hostname,
    online: online.has(r.rank),
    drained: drained.get(r.rank),
    allocated: allocated.has(r.rank),
    excluded: excluded.has(r.rank),
    torpid: torpid.has(r.rank),
    housekeeping: hk.has(r.rank),
    properties: r.properties ?? [],
  }));
}

export function nodelistOf(rs: readonly RankState[]): string {
  return hostlist.compress([...rs].sort((a, b) => a.rank - b.rank).map((r) => r.hostname));
}

export function ranksOf(rs: readonly RankState[]): string {
  return idset.encode(rs.map((r) => r.rank));
}
