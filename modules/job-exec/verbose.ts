/** The shell option `verbose` (flux-shell-options(7)). */
/** shell option verbose: 0, or the level (`-o verbose` is 1) */
export function verbosity(v: unknown): number {
  if (v === true) return 1;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return 0;
}
