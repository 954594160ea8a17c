/**
 * Eventlog context values that Flux packs as JSON reals, and how its tools
 * print them (jansson: `%.17g`, with `.0` added to a whole number). The
 * eventlog of flux-ts keeps plain JSON numbers, where 150.0 reads back as 150,
 * so the text form knows these keys by event name: `flux job eventlog` shows
 * `jobspec-update attributes.system.duration=150.0` and
 * `resource-update expiration=1796205154.5305398` as Flux does.
 */
import { fsd } from '../../lib/formats';

const REAL_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  'jobspec-update': new Set(['attributes.system.duration']),
  'resource-update': new Set(['expiration']),
};

/** jansson's text for a real: `%.17g`, `.0` when it has no point or exponent, no `+`/leading zeros in the exponent */
export function janssonReal(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const s = fsd.formatG(x, 17);
  const e = s.indexOf('e');
  if (e >= 0) return s.slice(0, e + 1) + s.slice(e + 1).replace(/^\+/, '').replace(/^(-?)0+(?=\d)/, '$1');
  return s.includes('.') ? s : `${s}.0`;
}

/** A context value as `flux job eventlog` prints it: JSON, a known real as jansson prints it. */
export function contextValue(event: string, key: string, v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v) && REAL_KEYS[event]?.has(key)) return janssonReal(v);
  return JSON.stringify(v);
}
