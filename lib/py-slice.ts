/**
 * A Python slice, `[start:stop:step]` or `[index]`, over a list, as Flux's
 * libutil slice.c reads it (flux job last, job-manager.history.get).
 * Undefined when spec is not a slice.
 */
export function pySlice<T>(l: readonly T[], spec: string): T[] | undefined {
  const m = /^\[(-?\d*)(?::(-?\d*))?(?::(-?\d*))?\]$/.exec(spec);
  if (!m) return undefined;
  if (m[2] === undefined && m[3] === undefined) {
    if (m[1] === '') return undefined;
    let i = Number(m[1]);
    if (i < 0) i += l.length;
    return i >= 0 && i < l.length ? [l[i]!] : [];
  }
  const step = m[3] ? Number(m[3]) : 1;
  if (step === 0) return undefined;
  const n = l.length;
  const norm = (v: string | undefined, def: number) => {
    if (v === undefined || v === '') return def;
    let x = Number(v);
    if (x < 0) x += n;
    return step > 0 ? Math.min(Math.max(x, 0), n) : Math.min(Math.max(x, -1), n - 1);
  };
  const start = norm(m[1], step > 0 ? 0 : n - 1);
  const stop = norm(m[2], step > 0 ? n : -1);
  const out: T[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(l[i]!);
  return out;
}
