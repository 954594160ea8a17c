/**
 * The time column of an eventlog printed as text (flux job eventlog, flux
 * resource eventlog): raw seconds, ISO 8601, the offset from the first entry,
 * or, with -H, `[Mon DD HH:MM]` when the minute changes and `[  +S.SSSSSS]`
 * after it. Entries are given in order; the formatter keeps what it needs.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

export type TimeFormat = 'raw' | 'iso' | 'offset';

export function isoTime(ts: number): string {
  const d = new Date(ts * 1000);
  const us = String(Math.round((ts % 1) * 1e6) % 1e6).padStart(6, '0');
  const off = -d.getTimezoneOffset();
  const tz = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${us}${tz}`;
}

export class EntryTimes {
  private t0: number | undefined;
  private anchor = -1;
  private lastMinute = '';

  constructor(
    private readonly format: TimeFormat,
    private readonly human: boolean,
  ) {}

  time(ts: number): string {
    this.t0 ??= ts;
    if (this.human) {
      const d = new Date(ts * 1000);
      const minute = `${MONTHS[d.getMonth()]}${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
      if (minute !== this.lastMinute) {
        this.lastMinute = minute;
        this.anchor = ts;
        return `[${minute}]`;
      }
      const off = ts - this.anchor;
      const text = (off >= 0 ? '+' : '') + off.toFixed(6);
      return `[${' '.repeat(Math.max(0, 11 - text.length))}${text}]`;
    }
    if (this.format === 'iso') return isoTime(ts);
    if (this.format === 'offset') return (ts - this.t0).toFixed(6);
    return ts.toFixed(6);
  }
}
