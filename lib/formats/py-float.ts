/**
 * A number that Flux's Python tools hold as a float (a job's t_submit,
 * duration, runtime ...): printed without a format type as Python's repr()
 * prints a float, `30.0`, `0.0`, `1e-05`, `1e+16`, where String() gives `30`,
 * `0`, `0.00001`, `10000000000000000`. valueOf() keeps it a number to compare.
 */
export class PyFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return pyFloatRepr(this.value);
  }
}

/** Python's repr() of a float: the shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // JS and Python agree on the shortest digits; Python writes at least two exponent digits
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
