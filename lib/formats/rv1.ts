/**
 * RFC 20 R version 1: the resource set document. Build it from per-rank
 * inventories, expand it back, count it, and print the short "rlist" form
 * (`rank[0-2]/core[0-1]`, `rank0/core[0-3],gpu[1,3]`) Flux tools show.
 */
import * as idset from './idset';
import * as hostlist from './hostlist';

export interface RLiteEntry {
  rank: string;
  children: { core: string; gpu?: string };
}

export interface Rv1 {
  version: 1;
  execution: {
    R_lite: RLiteEntry[];
    nodelist: string[];
    starttime: number;
    expiration: number;
    nslots?: number;
    properties?: Record<string, string>;
  };
  scheduling?: unknown;
}

/** One rank's resources. */
export interface RankResources {
  rank: number;
  hostname: string;
  cores: number[];
  gpus: number[];
  /** RFC 20 properties of this rank (execution.properties), if any */
  properties?: string[];
}

export interface BuildOpts {
  starttime?: number;
  expiration?: number;
  nslots?: number;
}

function shapeKey(r: RankResources): string {
  return `${idset.encode(r.cores)}|${idset.encode(r.gpus)}`;
}

/** Ranks with identical cores and GPUs, grouped in rank order. */
function groupByShape(ranks: readonly RankResources[]): Array<{ ranks: number[]; sample: RankResources }> {
  const groups = new Map<string, { ranks: number[]; sample: RankResources }>();
  for (const r of [...ranks].sort((a, b) => a.rank - b.rank)) {
    const k = shapeKey(r);
    const g = groups.get(k);
    if (g) g.ranks.push(r.rank);
    else groups.set(k, { ranks: [r.rank], sample: r });
  }
  return [...groups.values()];
}

/** Build R from per-rank resources (ranks sorted; identical shapes share an entry). */
export function rv1Build(ranks: readonly RankResources[], opts: BuildOpts = {}): Rv1 {
  const groups = groupByShape(ranks);
  const R_lite: RLiteEntry[] = [];
  for (const g of groups) {
    const children: RLiteEntry['children'] = { core: idset.encode(g.sample.cores) };
    if (g.sample.gpus.length > 0) children.gpu = idset.encode(g.sample.gpus);
    R_lite.push({ rank: idset.encode(g.ranks), children });
  }
  const hosts = [...ranks].sort((a, b) => a.rank - b.rank).map((r) => r.hostname);
  // keys in the order Flux's librlist writes them
  const R: Rv1 = {
    version: 1,
    execution: {
      R_lite,
      starttime: opts.starttime ?? 0,
      expiration: opts.expiration ?? 0,
      ...(opts.nslots !== undefined ? { nslots: opts.nslots } : {}),
      nodelist: hosts.length > 0 ? [hostlist.compress(hosts)] : [],
    },
  };
  const props = new Map<string, number[]>();
  for (const r of ranks) for (const p of r.properties ?? []) props.set(p, [...(props.get(p) ?? []), r.rank]);
  if (props.size > 0) {
    R.execution.properties = Object.fromEntries([...props].map(([p, rs]) => [p, idset.encode(rs.sort((a, b) => a - b))]));
  }
  return R;
}

/** Expand R into per-rank resources sorted by rank (hostnames from nodelist). */
export function rv1Expand(R: Rv1): RankResources[] {
  const out: RankResources[] = [];
  for (const e of R.execution?.R_lite ?? []) {
    const cores = idset.decode(e.children.core ?? '');
    const gpus = e.children.gpu ? idset.decode(e.children.gpu) : [];
    for (const rank of idset.decode(e.rank)) out.push({ rank, hostname: '', cores: [...cores], gpus: [...gpus] });
  }
  out.sort((a, b) => a.rank - b.rank);
  const hosts = (R.execution?.nodelist ?? []).flatMap((h) => hostlist.expand(h));
  out.forEach((r, i) => (r.hostname = hosts[i] ?? ''));
  const props = R.execution?.properties;
  if (props) {
    const byRank = new Map(out.map((r) => [r.rank, r]));
    for (const [p, ids] of Object.entries(props)) {
      for (const rank of idset.decode(ids)) {
        const r = byRank.get(rank);
        if (r) (r.properties ??= []).push(p);
      }
    }
  }
  return out;
}

/**
 * Check that doc is R version 1 and expand it; throws a one-line Error
 * naming what is wrong (`flux R`, alloc-bypass.so's check of a given R).
 */
export function rv1Check(doc: unknown): RankResources[] {
  const R = doc as Rv1;
  if (typeof R !== 'object' || R === null || Array.isArray(R)) throw new Error('R is not a JSON object');
  if (R.version !== 1) throw new Error(`invalid version=${JSON.stringify(R.version ?? null)}`);
  const ex = R.execution as Partial<Rv1['execution']> | undefined;
  if (typeof ex !== 'object' || ex === null || !Array.isArray(ex.R_lite)) throw new Error('missing execution.R_lite');
  for (const e of ex.R_lite) {
    if (typeof e !== 'object' || e === null || typeof e.rank !== 'string' || typeof e.children !== 'object' || e.children === null) {
      throw new Error('invalid R_lite entry');
    }
  }
  const ranks = rv1Expand(R);
  const hosts = (ex.nodelist ?? []).flatMap((h) => hostlist.expand(h));
  if (hosts.length > 0 && hosts.length !== ranks.length) throw new Error(`nodelist has ${hosts.length} hosts for ${ranks.length} ranks`);
  if (new Set(ranks.map((r) => r.rank)).size !== ranks.length) throw new Error('a rank appears twice in R_lite');
  return ranks;
}

/** Node, core and gpu counts of R. */
export function rv1Counts(R: Rv1): { nnodes: number; ncores: number; ngpus: number } {
  let nnodes = 0;
  let ncores = 0;
  let ngpus = 0;
  for (const r of rv1Expand(R)) {
    nnodes++;
    ncores += r.cores.length;
    ngpus += r.gpus.length;
  }
  return { nnodes, ncores, ngpus };
}

/** The ranks of R as an idset string. */
export function rv1Ranks(R: Rv1): string {
  return idset.encode(rv1Expand(R).map((r) => r.rank));
}

/** Short form of per-rank resources: `rank[0-1]/core[0-1] rank2/core0,gpu0`. */
export function rlistSummary(ranks: readonly RankResources[]): string {
  const groups = groupByShape(ranks);
  const parts: string[] = [];
  for (const g of groups) {
    let s = `rank${idset.encode(g.ranks, { brackets: true })}`;
    const kids: string[] = [];
    if (g.sample.cores.length > 0) kids.push(`core${idset.encode(g.sample.cores, { brackets: true })}`);
    if (g.sample.gpus.length > 0) kids.push(`gpu${idset.encode(g.sample.gpus, { brackets: true })}`);
    if (kids.length > 0) s += '/' + kids.join(',');
    parts.push(s);
  }
  return parts.join(' ');
}

/** rlistSummary of an R document. */
export function rv1Summary(R: Rv1): string {
  return rlistSummary(rv1Expand(R));
}
