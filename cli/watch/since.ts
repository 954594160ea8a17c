/**
 * --since=WHEN of flux watch and flux jobs: a moment in the past, as epoch
 * seconds (lib/formats/when.ts reads WHEN: `-6h`, `yesterday`, `last monday
 * 6pm`, `2026-06-21 6am`, an epoch number...). A moment to come is refused,
 * as Flux refuses it.
 */
import { parseWhen } from '../../lib/formats/when';

export class SinceError extends Error {}

export function parseSince(when: string, now = Date.now() / 1000): number {
  const t = parseWhen(when, now);
  if (t === undefined) throw new SinceError(`--since: invalid value '${when}'`);
  if (t > now + 1) throw new SinceError(`--since=${when} appears to be in the future`);
  return t;
}
