/**
 * The date-time sets of a `flux cron tab` or `flux cron at` entry (Flux's
 * cronodate): for each unit of a broken-down local time (second, minute,
 * hour, mday, month, year, weekday) the values it may take, and the next
 * wall-clock second at which all of them hold. Units follow struct tm, as
 * Flux's do: month is 0-11, year counts from 1900, weekday 0-6 from Sunday;
 * months and weekdays may also be named (a prefix of the English name, any
 * case: `Dec`, `mon`). Both the day of month and the weekday must match
 * (Flux's rule, not crontab(5)'s either-or). Shared by the cron module (its
 * timers) and `flux cron tab` (which checks every line before creating any).
 */
import { encode } from '../formats/idset';

export const UNITS = ['second', 'minute', 'hour', 'mday', 'month', 'year', 'weekday'] as const;
export type Unit = (typeof UNITS)[number];

const RANGE: Record<Unit, readonly [number, number]> = {
  second: [0, 60],
  minute: [0, 59],
  hour: [0, 23],
  mday: [1, 31],
  month: [0, 11],
  year: [0, 1100],
  weekday: [0, 6],
};

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** How far ahead a next wakeup is looked for (Flux: two years). */
const HORIZON_S = 2 * 365 * 86400;

/** The allowed values of each unit (sorted). */
export type DateSpec = Record<Unit, readonly number[]>;

function value(unit: Unit, word: string): number {
  if (/^[0-9]+$/.test(word)) return Number(word);
  const names = unit === 'weekday' ? WEEKDAYS : unit === 'month' ? MONTHS : undefined;
  const w = word.toLowerCase();
  const i = names && w.length > 0 ? names.findIndex((n) => n.startsWith(w)) : -1;
  if (i < 0) throw new Error(`${unit}: '${word}' is not a number${names ? ` or a ${unit} name` : ''}`);
  return i;
}

/**
 * Parse one unit's field: `*`, `N`, `A-B`, any of them with `/STEP`, and
 * comma-separated lists of those. Throws an Error naming the unit and the
 * value for anything else or out of range.
 */
export function parseField(unit: Unit, text: string): number[] {
  const [lo, hi] = RANGE[unit];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/([0-9]+))?$/.exec(part);
    if (!m) throw new Error(`${unit}: bad field '${text}'`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new Error(`${unit}: step must be at least 1 in '${text}'`);
    let a: number;
    let b: number;
    if (m[1] === '*') [a, b] = [lo, hi];
    else {
      const r = m[1]!.split('-');
      if (r.length > 2) throw new Error(`${unit}: bad range '${m[1]}'`);
      a = value(unit, r[0]!);
      b = r.length === 2 ? value(unit, r[1]!) : a;
    }
    for (const v of [a, b]) if (v < lo || v > hi) throw new Error(`${unit}: ${v} is out of range ${lo}-${hi}`);
    if (a > b) throw new Error(`${unit}: range ${a}-${b} is backwards`);
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

/** A spec from per-unit fields (string fields or single numbers); a unit not given is `*`. */
export function parseSpec(fields: Partial<Record<Unit, string | number>>): DateSpec {
  const spec = {} as Record<Unit, number[]>;
  for (const u of UNITS) {
    const f = fields[u];
    spec[u] = parseField(u, f === undefined ? '*' : String(f));
  }
  return spec;
}

/** Each unit's set as Flux shows it (`flux cron dump`: typedata.minute = "0-59"). */
export function encodeSpec(spec: DateSpec): Record<Unit, string> {
  const out = {} as Record<Unit, string>;
  for (const u of UNITS) out[u] = encode(spec[u]);
  return out;
}

/**
 * The first whole second after `now` (epoch seconds) at which every unit of
 * the local time is in its set, or undefined when there is none within two
 * years (a date that is past, or never comes: 31 February).
 */
export function nextWakeup(spec: DateSpec, now: number): number | undefined {
  const has = (u: Unit, v: number) => spec[u].includes(v);
  const t = new Date((Math.floor(now) + 1) * 1000);
  const limit = now + HORIZON_S;
  for (let i = 0; i < 200_000 && t.getTime() / 1000 <= limit; i++) {
    if (!has('year', t.getFullYear() - 1900)) {
      t.setFullYear(t.getFullYear() + 1, 0, 1);
      t.setHours(0, 0, 0, 0);
    } else if (!has('month', t.getMonth())) {
      t.setMonth(t.getMonth() + 1, 1);
      t.setHours(0, 0, 0, 0);
    } else if (!has('mday', t.getDate()) || !has('weekday', t.getDay())) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
    } else if (!has('hour', t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
    } else if (!has('minute', t.getMinutes())) {
      t.setMinutes(t.getMinutes() + 1, 0, 0);
    } else if (!has('second', t.getSeconds())) {
      t.setSeconds(t.getSeconds() + 1, 0);
    } else return t.getTime() / 1000;
  }
  return undefined;
}

/** A crontab line: its five time fields (minute hour mday month weekday) and the command; undefined if it has fewer. */
export function splitCrontabLine(line: string): { fields: Partial<Record<Unit, string>>; command: string } | undefined {
  const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*\S)\s*$/.exec(line);
  if (!m) return undefined;
  return { fields: { second: '0', minute: m[1]!, hour: m[2]!, mday: m[3]!, month: m[4]!, weekday: m[5]! }, command: m[6]! };
}
