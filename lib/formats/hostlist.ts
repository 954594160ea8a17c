/**
 * RFC 29 hostlists: expand "foo[1-3,5]" into host names and compress a list
 * back the way flux-core does (order kept, only adjacent same-prefix hosts
 * merge, duplicates kept: "vm,vm,vm" stays as is).
 */
import { HostlistEncoder, splitHost } from './hostlist-encoder';

export class HostlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostlistError';
  }
}

/** Split a hostlist string at top-level commas (not inside brackets). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[') {
      if (depth > 0) throw new HostlistError(`invalid hostlist '${s}': nested brackets`);
      depth++;
    } else if (c === ']') {
      if (depth === 0) throw new HostlistError(`invalid hostlist '${s}': mismatched brackets`);
      depth--;
    }
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (depth !== 0) throw new HostlistError(`invalid hostlist '${s}': mismatched brackets`);
  out.push(cur);
  return out;
}

/** the most hosts an expanded hostlist may hold: past it expanding is an error, not a heap exhausted by a typo */
export const MAX_HOSTS = 1 << 20;

/** One piece of a hostlist: a plain host, or prefix + lo..hi (zero-padded to width) + suffix. */
export type Segment = { host: string } | { prefix: string; suffix: string; lo: number; hi: number; width: number };

/** Parse a hostlist string into its pieces without expanding the ranges. */
export function segments(s: string): Segment[] {
  const out: Segment[] = [];
  for (const el of splitTop(s)) {
    if (el === '') continue;
    const open = el.indexOf('[');
    if (open < 0) {
      if (/\s/.test(el)) throw new HostlistError(`invalid hostlist '${s}'`);
      out.push({ host: el });
      continue;
    }
    const close = el.indexOf(']', open);
    const prefix = el.slice(0, open);
    const suffix = el.slice(close + 1);
    if (suffix.includes('[')) throw new HostlistError(`invalid hostlist '${s}': more than one bracket`);
    for (const part of el.slice(open + 1, close).split(',')) {
      const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part);
      if (!m) throw new HostlistError(`invalid hostlist '${s}': bad range '${part}'`);
      const lo = Number(m[1]);
      const hi = m[2] !== undefined ? Number(m[2]) : lo;
      if (!Number.isSafeInteger(hi)) throw new HostlistError(`invalid hostlist '${s}': range '${part}' is too large`);
      if (hi < lo) throw new HostlistError(`invalid hostlist '${s}': range '${part}' is descending`);
      out.push({ prefix, suffix, lo, hi, width: m[1]!.length });
    }
  }
  return out;
}

/** The host at offset i of a range segment. */
export function segmentHost(g: Exclude<Segment, { host: string }>, i: number): string {
  return g.prefix + String(g.lo + i).padStart(g.width, '0') + g.suffix;
}

/** Expand a hostlist string into host names (order and duplicates kept). */
export function expand(s: string): string[] {
  const out: string[] = [];
  for (const g of segments(s)) {
    if ('host' in g) {
      out.push(g.host);
      continue;
    }
    if (out.length + (g.hi - g.lo + 1) > MAX_HOSTS) throw new HostlistError(`invalid hostlist '${s}': more than ${MAX_HOSTS} hosts`);
    for (let i = 0; i <= g.hi - g.lo; i++) out.push(segmentHost(g, i));
  }
  return out;
}

/** Compress host names into a hostlist string (flux-core's encoder, lib/formats/hostlist-encoder.ts). */
export function compress(hosts: readonly string[]): string {
  const enc = new HostlistEncoder();
  for (const h of hosts) enc.push(h);
  return enc.finish();
}

/** Sorted, de-duplicated compress (`foo[1-2],foo[2-3]` -> `foo[1-3]`). */
export function uniqSorted(hosts: readonly string[]): string {
  const uniq = [...new Set(hosts)].sort((a, b) => {
    const pa = splitHost(a);
    const pb = splitHost(b);
    if (pa.prefix !== pb.prefix) return pa.prefix < pb.prefix ? -1 : 1;
    return Number(pa.digits ?? -1) - Number(pb.digits ?? -1);
  });
  return compress(uniq);
}
