/**
 * Resource sets as `flux R` combines them: per-rank resources (RankResources,
 * lib/formats/rv1) with the set operations of Flux's librlist: union,
 * intersection, difference, renumbering, re-ranking by hostname, properties
 * and the verification of one set against another. Each throws an Error with
 * one line for what it refuses.
 */
import { hostlist, idset, rlistSummary, type RankResources } from '../../lib/formats';

export interface RSet {
  ranks: RankResources[];
  starttime: number;
  expiration: number;
}

const byRank = (a: RankResources, b: RankResources) => a.rank - b.rank;
const sortIds = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);
const isEmpty = (r: RankResources) => r.cores.length + r.gpus.length === 0;

function copy(r: RankResources): RankResources {
  const c: RankResources = { rank: r.rank, hostname: r.hostname, cores: [...r.cores], gpus: [...r.gpus] };
  if (r.properties) c.properties = [...r.properties];
  return c;
}

/** The union of a and b (overlap allowed); a rank named twice must name one host. */
export function union(a: RSet, b: RSet): RSet {
  const m = new Map(a.ranks.map((r) => [r.rank, copy(r)]));
  for (const r of b.ranks) {
    const x = m.get(r.rank);
    if (!x) {
      m.set(r.rank, copy(r));
      continue;
    }
    if (x.hostname !== r.hostname) throw new Error(`rank ${r.rank} has two hostnames: '${x.hostname}' and '${r.hostname}'`);
    x.cores = sortIds([...x.cores, ...r.cores]);
    x.gpus = sortIds([...x.gpus, ...r.gpus]);
    const props = [...new Set([...(x.properties ?? []), ...(r.properties ?? [])])];
    if (props.length > 0) x.properties = props;
  }
  return { ranks: [...m.values()].sort(byRank), starttime: a.starttime, expiration: a.expiration };
}

/** Ranks of a with the resources they share with b (ranks left empty are dropped). */
export function intersect(a: RSet, b: RSet): RSet {
  const m = new Map(b.ranks.map((r) => [r.rank, r]));
  const out: RankResources[] = [];
  for (const r of a.ranks) {
    const x = m.get(r.rank);
    if (!x) continue;
    const c = copy(r);
    c.cores = r.cores.filter((id) => x.cores.includes(id));
    c.gpus = r.gpus.filter((id) => x.gpus.includes(id));
    if (!isEmpty(c)) out.push(c);
  }
  return { ranks: out, starttime: a.starttime, expiration: a.expiration };
}

/** a without the resources of b (ranks left empty are dropped). */
export function diff(a: RSet, b: RSet): RSet {
  const m = new Map(b.ranks.map((r) => [r.rank, r]));
  const out: RankResources[] = [];
  for (const r of a.ranks) {
    const x = m.get(r.rank);
    const c = copy(r);
    if (x) {
      c.cores = r.cores.filter((id) => !x.cores.includes(id));
      c.gpus = r.gpus.filter((id) => !x.gpus.includes(id));
    }
    if (!isEmpty(c)) out.push(c);
  }
  return { ranks: out, starttime: a.starttime, expiration: a.expiration };
}

/** The union of disjoint sets, times zero (Flux's `flux R append`); an overlap is an error naming both. */
export function appendAll(sets: readonly RSet[]): RSet {
  let result: RSet = { ranks: [], starttime: 0, expiration: 0 };
  for (const s of sets) {
    if (intersect(result, s).ranks.length > 0) {
      throw new Error(`R objects '${shortText(result)}' and '${shortText(s)}' overlap`);
    }
    result = union(result, s);
  }
  return result;
}

/** Ranks renumbered 0..N-1 in rank order. */
export function remap(s: RSet): RSet {
  return { ...s, ranks: [...s.ranks].sort(byRank).map((r, i) => ({ ...copy(r), rank: i })) };
}

/** Ranks renumbered by the index of their host in a hostlist naming every host of the set once. */
export function rerank(s: RSet, hosts: string): RSet {
  let list: string[];
  try {
    list = hostlist.expand(hosts);
  } catch {
    throw new Error(`invalid hostlist '${hosts}'`);
  }
  if (list.length > s.ranks.length) throw new Error(`Too many hosts specified (expected ${s.ranks.length})`);
  if (list.length < s.ranks.length) throw new Error(`Too few hosts specified (expected ${s.ranks.length})`);
  const index = new Map(list.map((h, i) => [h, i]));
  const ranks = s.ranks.map((r) => {
    const i = index.get(r.hostname);
    if (i === undefined) throw new Error('failed to find one or more provided hosts in R');
    return { ...copy(r), rank: i };
  });
  if (new Set(ranks.map((r) => r.rank)).size !== ranks.length) throw new Error('failed to find one or more provided hosts in R');
  return { ...s, ranks: ranks.sort(byRank) };
}

/** Only the ranks in ids (decode --include). */
export function includeRanks(s: RSet, ids: readonly number[]): RSet {
  const keep = new Set(ids);
  return { ...s, ranks: s.ranks.filter((r) => keep.has(r.rank)) };
}

/** Without the ranks in ids (decode --exclude). */
export function excludeRanks(s: RSet, ids: readonly number[]): RSet {
  const drop = new Set(ids);
  return { ...s, ranks: s.ranks.filter((r) => !drop.has(r.rank)) };
}

/** Ranks having every property of the list (`^name`: not having it). */
export function withProperties(s: RSet, props: readonly string[]): RSet {
  const ok = (r: RankResources) =>
    props.every((p) => (p.startsWith('^') ? !(r.properties ?? []).includes(p.slice(1)) : (r.properties ?? []).includes(p)));
  return { ...s, ranks: s.ranks.filter(ok) };
}

/**
 * Assign property NAME to RANKS (`NAME:RANKS`, or all ranks of the set for a
 * bare NAME), as `flux R set-property` and `encode --property` do.
 */
export function setProperty(s: RSet, spec: string, problem: (name: string) => string | undefined): RSet {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const why = problem(name);
  if (why !== undefined) throw new Error(`failed to assign properties: ${why}`);
  let ranks: number[];
  if (colon < 0) ranks = s.ranks.map((r) => r.rank);
  else {
    try {
      ranks = idset.decode(spec.slice(colon + 1));
    } catch {
      throw new Error(`failed to assign properties: invalid idset '${spec.slice(colon + 1)}'`);
    }
  }
  const have = new Map(s.ranks.map((r) => [r.rank, r]));
  const missing = ranks.filter((r) => !have.has(r));
  if (missing.length > 0) throw new Error(`failed to assign properties: ranks ${idset.encode(missing)} not found in R`);
  const out = s.ranks.map(copy);
  const outBy = new Map(out.map((r) => [r.rank, r]));
  for (const rank of ranks) {
    const r = outBy.get(rank)!;
    if (!(r.properties ?? []).includes(name)) (r.properties ??= []).push(name);
  }
  return { ...s, ranks: out };
}

function resourceText(cores: readonly number[], gpus: readonly number[]): string {
  const parts: string[] = [];
  if (cores.length > 0) parts.push(`core${idset.encode(cores, { brackets: true })}`);
  if (gpus.length > 0) parts.push(`gpu${idset.encode(gpus, { brackets: true })}`);
  return parts.join(',');
}

export interface Verdict {
  /** 'ok': R2 matches; 'extra': R2 has more than expected (a note, not a failure); 'fail' */
  result: 'ok' | 'extra' | 'fail';
  message?: string;
}

/** Does every rank of `got` have at least the resources (and the host) `expected` gives it? */
export function verify(expected: RSet, got: RSet): Verdict {
  const want = new Map(expected.ranks.map((r) => [r.rank, r]));
  let extra: string | undefined;
  for (const r of got.ranks) {
    const w = want.get(r.rank);
    if (!w) return { result: 'fail', message: `rank ${r.rank} not found in expected ranks` };
    if (w.hostname !== r.hostname) return { result: 'fail', message: `rank ${r.rank} got hostname '${r.hostname}', expected '${w.hostname}'` };
    const missing = resourceText(
      w.cores.filter((c) => !r.cores.includes(c)),
      w.gpus.filter((g) => !r.gpus.includes(g)),
    );
    if (missing) return { result: 'fail', message: `rank ${r.rank} (${r.hostname}) missing resources: ${missing}` };
    const more = resourceText(
      r.cores.filter((c) => !w.cores.includes(c)),
      r.gpus.filter((g) => !w.gpus.includes(g)),
    );
    if (more && extra === undefined) extra = `rank ${r.rank} (${r.hostname}) has extra resources: ${more}`;
  }
  return extra === undefined ? { result: 'ok' } : { result: 'extra', message: extra };
}

/** The short form of a set (`rank[0-1]/core[0-3]`, Flux's rlist_dumps). */
export function shortText(s: RSet): string {
  return rlistSummary(s.ranks);
}
