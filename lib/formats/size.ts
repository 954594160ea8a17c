/**
 * Parse a byte size: digits with an optional binary suffix K, M or G
 * ("64M" = 64 MiB). Undefined when the text is not such a size.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const shift = { '': 0, K: 10, M: 20, G: 30 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const v = Number(m[1]) * 2 ** shift;
  return Number.isSafeInteger(v) ? v : undefined;
}
