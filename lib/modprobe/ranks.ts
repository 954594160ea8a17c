/** Where a module table entry loads: its `ranks` value as a test of a rank. */
import { idset } from '../formats';

/**
 * "all" (the default), "leader" (rank 0), an RFC 22 idset ("0,2-3"), or
 * Flux's ">N" / "<N" (every rank above or below N). Undefined: not one of those.
 */
export function ranksMatcher(ranks: string | undefined): ((rank: number) => boolean) | undefined {
  const r = (ranks ?? 'all').trim();
  if (r === 'all') return () => true;
  if (r === 'leader') return (rank) => rank === 0;
  const cmp = /^([<>])\s*(\d+)$/.exec(r);
  if (cmp) return cmp[1] === '>' ? (rank) => rank > Number(cmp[2]) : (rank) => rank < Number(cmp[2]);
  let ids: Set<number>;
  try {
    ids = new Set(idset.decode(r));
  } catch {
    return undefined;
  }
  return ids.size > 0 ? (rank) => ids.has(rank) : undefined;
}
