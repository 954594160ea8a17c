/**
 * The `exit-timeout` shell option (Flux's doom plugin), read once for both
 * sides: job-ingest refuses a value this cannot read, and the job shell's
 * doom plugin uses what it gives. `none` (any case) or false: no timeout; an
 * FSD string or a number of seconds >= 0: that long; unset: the default.
 */
import { tryParse } from './formats/fsd';

export const DEFAULT_EXIT_TIMEOUT_S = 30;

/** seconds (undefined: none), or 'invalid' for a value Flux's shell would reject */
export function exitTimeoutSeconds(v: unknown): number | undefined | 'invalid' {
  if (v === undefined) return DEFAULT_EXIT_TIMEOUT_S;
  if (v === false || (typeof v === 'string' && v.toLowerCase() === 'none')) return undefined;
  if (typeof v === 'number') return v >= 0 && Number.isFinite(v) ? v : 'invalid';
  if (typeof v === 'string') return tryParse(v) ?? 'invalid';
  return 'invalid';
}
