/**
 * RFC 22 idsets: sets of non-negative integers written "0-2,5" or "[0-2,5]".
 * decode() is as strict as flux-core's libidset; encode() compresses runs and
 * adds brackets (only for more than one id) when asked.
 */

export class IdsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdsetError';
  }
}

const NUM = /^(0|[1-9][0-9]*)$/;

/** the most ids a decoded idset may hold: past it decoding is an error, not a heap exhausted by a typo */
export const MAX_IDS = 1 << 24;

function parseNum(s: string, whole: string): number {
  if (!NUM.test(s)) throw new IdsetError(`error parsing range '${whole}'`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new IdsetError(`error parsing range '${whole}'`);
  return n;
}

/** Decode an idset string into ascending unique ids. Throws IdsetError. */
export function decode(s: string): number[] {
  let body = s;
  const open = s.startsWith('[');
  const close = s.endsWith(']');
  if (open !== close || (open && s.length < 2)) throw new IdsetError('mismatched or nested brackets');
  if (open) body = s.slice(1, -1);
  if (body.includes('[') || body.includes(']')) throw new IdsetError('mismatched or nested brackets');
  const out: number[] = [];
  for (const el of body.split(',')) {
    if (el === '') continue;
    const dash = el.indexOf('-');
    let lo: number;
    let hi: number;
    if (dash < 0) {
      lo = hi = parseNum(el, el);
    } else {
      lo = parseNum(el.slice(0, dash), el);
      hi = parseNum(el.slice(dash + 1), el);
      if (hi < lo) throw new IdsetError(`error parsing range '${el}'`);
    }
    if (out.length > 0 && lo <= out[out.length - 1]!) throw new IdsetError(`range '${el}' is out of order`);
    if (out.length + (hi - lo + 1) > MAX_IDS) throw new IdsetError(`idset '${s}' holds more than ${MAX_IDS} ids`);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/** Like decode() but returns a Set. */
export function decodeSet(s: string): Set<number> {
  return new Set(decode(s));
}

export interface EncodeOpts {
  /** compress consecutive runs into a-b (default true) */
  range?: boolean;
  /** wrap in [] when more than one id (default false) */
  brackets?: boolean;
}

/** Encode ids (any order, duplicates ignored) as an idset string. */
export function encode(ids: Iterable<number>, opts: EncodeOpts = {}): string {
  const range = opts.range ?? true;
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    if (range) while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  const s = parts.join(',');
  return opts.brackets && sorted.length > 1 ? `[${s}]` : s;
}

/** Ranges [lo, hi] of an id list (sorted, unique). */
export function ranges(ids: Iterable<number>): Array<[number, number]> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] + 1 === id) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

/** Number of ids in an idset string. */
export function count(s: string): number {
  return decode(s).length;
}
