/**
 * RFC 23 Flux Standard Duration: parse "1.5m", "2h", "inf" into seconds, and the
 * two formatters Flux has: the C one (%.Ng, `flux uptime` uses precision 2) and
 * the Python one (`flux jobs` TIME column, `!F`).
 */

export class FsdError extends Error {
  constructor(message = 'invalid Flux standard duration') {
    super(message);
    this.name = 'FsdError';
  }
}

/**
 * The longest job duration accepted (s): UINT_MAX, the value Flux itself uses
 * for "unlimited" (flux job timeleft), about 136 years. Anything longer cannot
 * be told from no limit, and an expiration that far off no longer fits a date.
 */
export const MAX_DURATION = 4294967295;

const MULT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, '': 1 };

/** Parse an FSD string into seconds (Infinity for inf). Throws FsdError. */
export function parse(s: string): number {
  if (/^(inf|infinity)$/i.test(s)) return Infinity;
  const m = /^((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(ms|s|m|h|d|)$/.exec(s);
  if (!m) throw new FsdError(`invalid Flux standard duration '${s}'`);
  const v = Number(m[1]) * MULT[m[2]!]!;
  if (!Number.isFinite(v) || v < 0) throw new FsdError(`invalid Flux standard duration '${s}'`);
  return v;
}

/** Parse, returning undefined instead of throwing. */
export function tryParse(s: string): number | undefined {
  try {
    return parse(s);
  } catch {
    return undefined;
  }
}

/**
 * C printf %.{p}g: p significant digits, trailing zeros dropped, exponent form
 * when the exponent is < -4 or >= p (round-half-even on the binary value, as C).
 */
export function formatG(x: number, p: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const prec = p === 0 ? 1 : p;
  const exp = Number(x.toExponential(prec - 1).split('e')[1]);
  if (exp < -4 || exp >= prec) {
    const [mant, e] = x.toExponential(prec - 1).split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const f = toFixedEven(x, Math.max(0, prec - 1 - exp));
  return f.includes('.') ? f.replace(/\.?0+$/, '') : f;
}

/** formatC's units below a day: [durations under this, seconds in one, suffix] */
const C_UNITS: ReadonlyArray<readonly [number, number, string]> = [
  [0.1, 0.001, 'ms'],
  [60, 1, 's'],
  [3600, 60, 'm'],
  [86400, 3600, 'h'],
];

/**
 * flux-core fsd_format_duration_ex(d, precision): `flux uptime` uses 2. Unlike
 * C's %g there, never an exponent: a value that rounds up to the next unit's
 * size is given in that unit (99.7 ms at precision 2 is `0.1s`, where Flux
 * prints `1e+02ms`), and 100 days or more in whole days.
 */
export function formatC(d: number, precision = 6): string {
  if (d === Infinity) return 'infinity';
  if (d === 0) return '0s';
  for (const [below, size, unit] of C_UNITS) {
    if (d >= below) continue;
    const text = formatG(unit === 'ms' ? d * 1000 : d / size, precision);
    if (!text.includes('e')) return `${text}${unit}`;
  }
  const days = formatG(d / 86400, precision);
  return `${days.includes('e') ? Math.round(d / 86400) : days}d`;
}

/** Python flux.util.fsd: the `!F` conversion and the `flux jobs` TIME column. */
export function formatPy(d: number): string {
  if (d === Infinity) return 'inf';
  if (d < 0.001) return '0s';
  if (d < 10) return `${d.toFixed(3)}s`;
  if (d < 60) return `${formatG(d, 4)}s`;
  if (d < 3600) return `${formatG(d / 60, 4)}m`;
  if (d < 86400) return `${formatG(d / 3600, 4)}h`;
  return `${formatG(d / 86400, 4)}d`;
}

/** x.toFixed(d) but exact binary ties round half to even, as glibc printf does. */
function toFixedEven(x: number, d: number): string {
  const extra = Math.min(100, d + 40) - d;
  const long = x.toFixed(d + extra);
  const tail = long.slice(long.length - extra);
  const cut = long.slice(0, long.length - extra);
  if (!/^50*$/.test(tail)) return x.toFixed(d);
  const body = cut.endsWith('.') ? cut.slice(0, -1) : cut;
  const last = Number(body[body.length - 1]);
  return last % 2 === 0 ? body : x.toFixed(d);
}
