/** How flux-kvs prints: normalized keys, values, `ls` columns, eventlog entries. */
import { renderEntry } from '../job/eventlog';

export interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** `a.`, `.a`, `a..b` -> `a`, `a`, `a.b` (Flux normalizes keys); '' stays '' */
export function normalizeKey(key: string): string {
  return key
    .split('.')
    .filter((c) => c.length > 0)
    .join('.');
}

/** a value as `flux kvs get` prints it: strings as they are, anything else as compact JSON */
export function valueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `ls` columns: names padded to the longest + 4, as many as fit the width, row by row */
export function columns(names: readonly string[], width: number): string {
  if (names.length === 0) return '';
  const w = Math.max(...names.map((n) => n.length)) + 4;
  const per = Math.max(1, Math.floor(width / w));
  let out = '';
  for (let i = 0; i < names.length; i += per) {
    const row = names.slice(i, i + per);
    out += row.map((n, j) => (j < row.length - 1 ? n.padEnd(w) : n)).join('') + '\n';
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** an eventlog entry as a line: JSON (-u), seconds (default), or a date then offsets (-H) */
export function entryFormatter(unformatted: boolean, human: boolean): (e: Entry) => string {
  if (unformatted) return (e) => JSON.stringify(e);
  if (!human) return (e) => renderEntry(e, e.timestamp.toFixed(6));
  let anchor: number | undefined;
  return (e) => {
    if (anchor === undefined || e.timestamp < anchor) {
      anchor = e.timestamp;
      const d = new Date(e.timestamp * 1000);
      return renderEntry(e, `[${MONTHS[d.getMonth()]}${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}]`);
    }
    return renderEntry(e, `[${('+' + (e.timestamp - anchor).toFixed(6)).padStart(11)}]`);
  };
}
