/**
 * flux watch --since=WHEN: a moment in the past, as epoch seconds. WHEN is
 * `-DURATION` (an RFC 23 duration back from now: -6h, -1d, -30s), `now`,
 * `today` (midnight), `yesterday` (midnight a day before), an epoch number, or
 * a date the JavaScript Date parser reads (2026-06-21, "2026-06-21 06:00").
 */
import { tryParse as tryParseFsd } from '../../lib/formats/fsd';

export class SinceError extends Error {}

export function parseSince(when: string, now = Date.now() / 1000): number {
  const w = when.trim();
  let t: number | undefined;
  if (w.startsWith('-')) {
    const d = tryParseFsd(w.slice(1));
    if (d !== undefined) t = now - d;
  } else if (w === 'now') t = now;
  else if (w === 'today' || w === 'yesterday') {
    const midnight = new Date(now * 1000);
    midnight.setHours(0, 0, 0, 0);
    t = midnight.getTime() / 1000 - (w === 'yesterday' ? 86400 : 0);
  } else if (/^\d+(\.\d+)?$/.test(w)) t = Number(w);
  else if (w !== '') {
    const ms = Date.parse(w);
    if (!Number.isNaN(ms)) t = ms / 1000;
  }
  if (t === undefined) throw new SinceError(`--since: invalid value '${when}'`);
  if (t > now) throw new SinceError(`--since=${when} appears to be in the future`);
  return t;
}
