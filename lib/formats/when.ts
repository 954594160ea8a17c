/**
 * A moment as users write it for `--since=WHEN` (flux jobs, flux watch),
 * which Flux reads with Python's parsedatetime: `-DURATION` (RFC 23, back
 * from now), `now`, `today`, `yesterday`, `tomorrow`, `noon`, `midnight`,
 * `+DURATION` (ahead), `N UNITS ago` (`an hour ago`, `3 days ago`), `last WEEKDAY` or `WEEKDAY` (the
 * latest one before today), `last week`, `last month`, a time of day (`6am`,
 * `6:30pm`, `18:00`) alone (today) or after one of those words or a date
 * (`yesterday 6pm`, `2026-06-21 6am`), an epoch number, or any date the
 * JavaScript Date parser reads with a year in it (`2026-06-21`, `Jun 21
 * 2026 06:00`). Local
 * time. Returns epoch seconds, or undefined for text it does not read.
 */
import { tryParse as tryParseFsd } from './fsd';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const UNIT_SECONDS: Record<string, number> = { second: 1, sec: 1, minute: 60, min: 60, hour: 3600, hr: 3600, day: 86400, week: 604800 };

function midnight(t: number, daysBack = 0): Date {
  const d = new Date(t * 1000);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysBack);
  return d;
}

/** `6am`, `6:30 pm`, `18:00`, `18:00:30`, `noon`, `midnight` -> seconds after midnight */
function timeOfDay(s: string): number | undefined {
  if (s === 'noon') return 12 * 3600;
  if (s === 'midnight') return 0;
  const m = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?$/.exec(s);
  if (!m || (m[2] === undefined && m[4] === undefined)) return undefined;
  let h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  const sec = Number(m[3] ?? 0);
  if (min > 59 || sec > 59) return undefined;
  if (m[4] !== undefined) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (m[4] === 'pm' ? 12 : 0);
  } else if (h > 23) return undefined;
  return h * 3600 + min * 60 + sec;
}

/** a day named by words, as its midnight */
function namedDay(s: string, now: number): Date | undefined {
  if (s === 'today') return midnight(now);
  if (s === 'yesterday') return midnight(now, 1);
  if (s === 'tomorrow') return midnight(now, -1);
  const m = /^(?:last\s+)?(\w+)$/.exec(s);
  const wd = m ? WEEKDAYS.findIndex((w) => w === m[1] || w.slice(0, 3) === m[1]) : -1;
  if (wd < 0) return undefined;
  const today = new Date(now * 1000).getDay();
  return midnight(now, ((today - wd + 7) % 7) || 7);
}

export function parseWhen(text: string, now = Date.now() / 1000): number | undefined {
  const w = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (w === '') return undefined;
  if (w.startsWith('-') || w.startsWith('+')) {
    const d = tryParseFsd(w.slice(1));
    return d === undefined ? undefined : w.startsWith('-') ? now - d : now + d;
  }
  if (w === 'now') return now;
  if (/^\d+(\.\d+)?$/.test(w) && Number(w) > 86400 * 366) return Number(w);
  const ago = /^(an?|\d+(?:\.\d+)?) (second|sec|minute|min|hour|hr|day|week)s? ago$/.exec(w);
  if (ago) return now - (ago[1]!.startsWith('a') ? 1 : Number(ago[1])) * UNIT_SECONDS[ago[2]!]!;
  if (w === 'last week') return now - 7 * 86400;
  if (w === 'last month') {
    const d = new Date(now * 1000);
    d.setMonth(d.getMonth() - 1);
    return d.getTime() / 1000;
  }
  const tod = timeOfDay(w);
  if (tod !== undefined) return midnight(now).getTime() / 1000 + tod;
  const day = namedDay(w, now);
  if (day) return day.getTime() / 1000;
  // a day (words or a date) and a time of day after it
  const split = /^(.*?)\s*\b(noon|midnight|\d{1,2}(?::\d{2}){0,2}\s*(?:am|pm)?)$/.exec(w);
  if (split && split[1] !== '') {
    const t = timeOfDay(split[2]!);
    const base = namedDay(split[1]!, now) ?? dateOnly(split[1]!);
    if (t !== undefined && base) return base.getTime() / 1000 + t;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(w)) return dateOnly(w)!.getTime() / 1000;
  // the Date parser reads nearly anything: only a date with a year goes to it
  const ms = /\d{4}/.test(w) ? Date.parse(text.trim()) : NaN;
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** a date the Date parser reads, at local midnight (`2026-06-21` alone would be UTC's) */
function dateOnly(s: string): Date | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (iso) return new Date(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
  const ms = /\d{4}/.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms)) return undefined;
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d;
}
