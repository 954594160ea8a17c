/**
 * R documents (RFC 20 version 1) as `flux R` reads and writes them: a stream
 * of concatenated JSON objects on stdin, each one R; and one R per line out,
 * as Flux's librlist encodes it (jansson: `", "` and `": "` separators,
 * starttime and expiration as reals, `0.0`).
 */
import { rv1Build, rv1Check, type Rv1 } from '../../lib/formats';
import { janssonReal } from '../eventlog/reals';
import type { RSet } from './rset';

/** Split text into its top-level JSON values (objects or arrays, as jansson reads them one after another). */
export function splitJsonStream(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    const start = i;
    if (text[i] !== '{' && text[i] !== '[') throw new Error(`'[' or '{' expected near '${text.slice(i).split(/\s/)[0]!.slice(0, 16)}'`);
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) throw new Error('premature end of input');
    out.push(text.slice(start, i));
  }
  return out;
}

/** One R document as a set; throws a one-line Error for anything that is not R version 1. */
export function rsetFromJson(doc: unknown): RSet {
  const ranks = rv1Check(doc);
  const ex = (doc as Rv1).execution;
  const time = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { ranks, starttime: time(ex.starttime), expiration: time(ex.expiration) };
}

/** Every R of a stdin text, in order; the Error names what is wrong. */
export function rsetsFromText(text: string): RSet[] {
  return splitJsonStream(text).map((s) => rsetFromJson(JSON.parse(s)));
}

class Real {
  constructor(readonly value: number) {}
}

function dump(v: unknown): string {
  if (v instanceof Real) return janssonReal(v.value);
  if (typeof v === 'string' || typeof v === 'number') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}: ${dump(o[k])}`)
    .join(', ')}}`;
}

/** R of a set as one line of JSON, keys in librlist's order (version, execution: R_lite, starttime, expiration, nodelist, properties). */
export function rsetText(s: RSet): string {
  const built = rv1Build(s.ranks);
  const R_lite = built.execution.R_lite.map((e) => {
    const children: Record<string, string> = {};
    if (e.children.core !== '') children['core'] = e.children.core;
    if (e.children.gpu !== undefined) children['gpu'] = e.children.gpu;
    return { rank: e.rank, children };
  });
  const execution: Record<string, unknown> = { R_lite, starttime: new Real(s.starttime), expiration: new Real(s.expiration) };
  // a set without hostnames (R read without a nodelist) has none to print; an empty set has []
  if (s.ranks.every((r) => r.hostname !== '')) execution['nodelist'] = built.execution.nodelist;
  if (built.execution.properties) execution['properties'] = built.execution.properties;
  return dump({ version: 1, execution });
}
