/**
 * `[resource] reserve` (flux-config-resource(5)): cores held back from the
 * scheduler for the system (daemons, the broker itself), as Flux's
 * `cores[@ranks]` words separated by whitespace: `"0"` keeps core 0 of every
 * rank, `"0-1@0 0"` cores 0-1 of rank 0 and core 0 of the others. Words for
 * the same rank add up.
 */
import { idset } from '../formats';
import type { RankResources } from '../formats/rv1';

export interface ReserveWord {
  cores: number[];
  /** undefined: every rank */
  ranks?: number[];
}

/** The words of a reserve value; throws one line naming the word that is not `cores[@ranks]`. */
export function parseReserve(value: string): ReserveWord[] {
  const words = value.trim().split(/\s+/).filter((w) => w.length > 0);
  return words.map((w) => {
    const at = w.indexOf('@');
    const coresText = at < 0 ? w : w.slice(0, at);
    const ranksText = at < 0 ? undefined : w.slice(at + 1);
    const decode = (text: string, what: string): number[] => {
      try {
        const ids = idset.decode(text);
        if (ids.length === 0) throw new Error('empty');
        return ids;
      } catch {
        throw new Error(`"${w}": ${what} "${text}" is not an idset (the form is cores[@ranks], e.g. "0" or "0-1@0 0")`);
      }
    };
    return { cores: decode(coresText, 'cores'), ranks: ranksText === undefined ? undefined : decode(ranksText, 'ranks') };
  });
}

/** Ranks the words name that the instance does not have (to refuse at start). */
export function reserveUnknownRanks(words: readonly ReserveWord[], ranks: readonly number[]): number[] {
  const known = new Set(ranks);
  const out = new Set<number>();
  for (const w of words) for (const r of w.ranks ?? []) if (!known.has(r)) out.add(r);
  return [...out].sort((a, b) => a - b);
}

/** The cores reserved on `rank`. */
export function reservedOn(words: readonly ReserveWord[], rank: number): Set<number> {
  const out = new Set<number>();
  for (const w of words) if (w.ranks === undefined || w.ranks.includes(rank)) for (const c of w.cores) out.add(c);
  return out;
}

/**
 * The ranks as the scheduler sees them: reserved cores taken out (a core a
 * rank does not have is nothing to take); a rank left with no core is left
 * out, since no job could be placed on it.
 */
export function withoutReserved(ranks: readonly RankResources[], words: readonly ReserveWord[]): RankResources[] {
  if (words.length === 0) return [...ranks];
  const out: RankResources[] = [];
  for (const r of ranks) {
    const held = reservedOn(words, r.rank);
    const cores = r.cores.filter((c) => !held.has(c));
    if (cores.length > 0) out.push({ ...r, cores });
  }
  return out;
}
