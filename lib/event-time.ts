/**
 * The timestamp of an RFC 18 eventlog entry: wall-clock seconds, as Flux
 * writes them, with microseconds. The wall clock gives the milliseconds (so an
 * entry compares right with times users give, such as --begin-time, even after
 * the system clock was stepped); the monotonic clock fills in the sub-millisecond
 * part, and entries from one process never go back in time.
 */
import { monoMs } from './clock';
let last = 0;

export function eventTime(): number {
  const t = Math.max(Date.now() + (monoMs() % 1), last);
  last = t;
  return Math.round(t * 1000) / 1e6;
}
