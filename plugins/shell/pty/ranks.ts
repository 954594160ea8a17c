/**
 * The task ranks of the `pty` shell option, or undefined when there is none.
 * As in Flux, a plain `-o pty` (not an object) is every task; an object
 * (`-o pty.ranks=IDSET|all`, `-o pty.interactive`) names its ranks, rank 0
 * when it does not.
 */
export function ptyRanks(opt: unknown, size: number, decode: (s: string) => number[]): Set<number> | undefined {
  if (opt === undefined || opt === false || opt === null) return undefined;
  const all = () => new Set(Array.from({ length: size }, (_, i) => i));
  if (typeof opt !== 'object') return all();
  const ranks = (opt as { ranks?: unknown }).ranks;
  if (ranks === 'all') return all();
  if (typeof ranks === 'string') return new Set(decode(ranks));
  if (typeof ranks === 'number') return new Set([ranks]);
  return new Set([0]);
}
