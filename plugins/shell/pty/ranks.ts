/** The task ranks of the `pty` shell option, or undefined when there is none. */
export function ptyRanks(opt: unknown, size: number, decode: (s: string) => number[]): Set<number> | undefined {
  if (opt === undefined || opt === false || opt === null) return undefined;
  const ranks = typeof opt === 'object' ? (opt as { ranks?: unknown }).ranks : undefined;
  if (ranks === 'all') return new Set(Array.from({ length: size }, (_, i) => i));
  if (typeof ranks === 'string') return new Set(decode(ranks));
  if (typeof ranks === 'number') return new Set([ranks]);
  return new Set([0]);
}
