/**
 * The host list operations of flux hostlist, on expanded lists (order and
 * duplicates kept until an operation drops them): concatenation, union,
 * intersection, difference, symmetric difference, sort, exclusion, index
 * selection. Pure functions; the command does the I/O.
 */
import { hostlist, idset } from '../../lib/formats';

/** hostlist order: by prefix, then by the number at the end (`n2` before `n10`) */
export function hostCompare(a: string, b: string): number {
  const ma = /^(.*?)(\d*)$/.exec(a)!;
  const mb = /^(.*?)(\d*)$/.exec(b)!;
  if (ma[1] !== mb[1]) return ma[1]! < mb[1]! ? -1 : 1;
  const na = ma[2] === '' ? -1 : Number(ma[2]);
  const nb = mb[2] === '' ? -1 : Number(mb[2]);
  if (na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const sortHosts = (h: readonly string[]): string[] => [...h].sort(hostCompare);
export const uniqueHosts = (h: readonly string[]): string[] => sortHosts([...new Set(h)]);

export function intersect(lists: readonly string[][]): string[] {
  if (lists.length === 0) return [];
  const sets = lists.slice(1).map((l) => new Set(l));
  return uniqueHosts(lists[0]!.filter((h) => sets.every((s) => s.has(h))));
}

export function minus(lists: readonly string[][]): string[] {
  if (lists.length === 0) return [];
  const drop = new Set(lists.slice(1).flat());
  return lists[0]!.filter((h) => !drop.has(h));
}

/** hosts in an odd number of the lists (pairwise symmetric difference) */
export function xor(lists: readonly string[][]): string[] {
  let acc = new Set<string>();
  for (const l of lists) {
    const s = new Set(l);
    const next = new Set<string>();
    for (const h of acc) if (!s.has(h)) next.add(h);
    for (const h of s) if (!acc.has(h)) next.add(h);
    acc = next;
  }
  return uniqueHosts([...acc]);
}

/**
 * The indices an idset argument names; with a leading `-` they count from the
 * end (`-1` is the last host, `-1-2` the last two). An index outside the list
 * throws RangeError when `strict` and is skipped otherwise.
 */
export function indices(arg: string, length: number, strict: boolean): number[] {
  const fromEnd = arg.startsWith('-');
  const ids = idset.decode(fromEnd ? arg.slice(1) : arg);
  const out: number[] = [];
  for (const i of ids) {
    const k = fromEnd ? length - i : i;
    if (fromEnd && i === 0) throw new RangeError(`invalid index -0`);
    if (k < 0 || k >= length) {
      if (strict) throw new RangeError(`Invalid index ${fromEnd ? '-' : ''}${i}`);
      continue;
    }
    out.push(k);
  }
  return out;
}

/** -x HOSTS|IDS: an idset removes those indices, else the hosts of a hostlist */
export function exclude(list: readonly string[], arg: string): string[] {
  let idx: number[] | undefined;
  try {
    idx = indices(arg, list.length, false);
  } catch {
    idx = undefined;
  }
  if (idx) {
    const drop = new Set(idx);
    return list.filter((_, i) => !drop.has(i));
  }
  const drop = new Set(hostlist.expand(arg));
  return list.filter((h) => !drop.has(h));
}

/** -L N: the first N hosts, or the last N for -N */
export function limit(list: readonly string[], n: number): string[] {
  return n < 0 ? list.slice(Math.max(0, list.length + n)) : list.slice(0, n);
}
