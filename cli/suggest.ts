/** "Did you mean" for unknown commands: names within Levenshtein distance 3 (up to 3). */
export function levenshtein(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export function suggest(word: string, names: readonly string[]): string[] {
  return names
    .map((n) => ({ n, d: levenshtein(word, n) }))
    .filter((x) => x.d <= 3 && x.d < Math.max(word.length, 2))
    .sort((x, y) => x.d - y.d || (x.n < y.n ? -1 : 1))
    .slice(0, 3)
    .map((x) => x.n);
}
