/**
 * The PMI-1 "simple" wire protocol (pmi.md §2): one `key=value` line per message.
 * Shared by the broker's client (pmi-client.ts) and `flux start`'s server
 * (lib/pmi/server.ts). Tolerant parser: tuples in any order, extra
 * whitespace, unknown keys; `value`/`error_msg` run to the end of the line,
 * `msg` to the next ` word=` (Hydra sends it before `value`).
 */

/** PMI return codes (pmi.md §3.13). */
export const PmiRc = {
  SUCCESS: 0,
  FAIL: -1,
  ERR_INIT: 1,
  ERR_NOMEM: 2,
  ERR_INVALID_ARG: 3,
  ERR_INVALID_KEY: 4,
  ERR_INVALID_KEY_LENGTH: 5,
  ERR_INVALID_VAL: 6,
  ERR_INVALID_VAL_LENGTH: 7,
  ERR_INVALID_LENGTH: 8,
} as const;

/** Keys whose value runs to the end of the line. */
const TO_EOL = new Set(['value', 'error_msg']);

/** A parsed line: its fields in the order they came. */
export type PmiFields = Map<string, string>;

/**
 * Parse one line (without its newline). Returns undefined when the line is not
 * `key=value` tuples at all (a protocol error for the caller to report).
 */
export function parsePmiLine(line: string): PmiFields | undefined {
  const out: PmiFields = new Map();
  const s = line.replace(/\r$/, '');
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= n) break;
    const eq = s.indexOf('=', i);
    if (eq < 0) return undefined;
    const key = s.slice(i, eq);
    if (key.length === 0 || /[\s]/.test(key)) return undefined;
    i = eq + 1;
    if (TO_EOL.has(key)) {
      let v = s.slice(i);
      // mpiexec.hydra 4.1.1/4.2.0 quirk: "value=abc found=TRUE"
      if (key === 'value' && v.endsWith(' found=TRUE')) v = v.slice(0, -' found=TRUE'.length);
      out.set(key, v);
      break;
    }
    if (key === 'msg') {
      // up to the next " word=" or end of line
      const rest = s.slice(i);
      const m = /\s+[^\s=]+=/.exec(rest);
      const v = m ? rest.slice(0, m.index) : rest;
      out.set(key, v);
      i += v.length;
      continue;
    }
    let j = i;
    while (j < n && s[j] !== ' ' && s[j] !== '\t') j++;
    out.set(key, s.slice(i, j));
    i = j;
  }
  if (!out.has('cmd') && !out.has('mcmd')) return undefined;
  return out;
}

/**
 * Format a line from tuples, in order, with its trailing newline. A tuple whose
 * value is undefined is left out. Put `value`/`error_msg` last (callers do).
 */
export function formatPmiLine(tuples: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const parts: string[] = [];
  for (const [k, v] of tuples) if (v !== undefined) parts.push(`${k}=${v}`);
  return parts.join(' ') + '\n';
}

/** `rc` of a response: absent means success (Hydra omits it). NaN counts as failure. */
export function pmiRc(f: PmiFields): number {
  const v = f.get('rc');
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : PmiRc.FAIL;
}

/** Integer field or undefined. */
export function pmiInt(f: PmiFields, key: string): number | undefined {
  const v = f.get(key);
  if (v === undefined || !/^[-+]?\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Splits a byte stream into lines. Feed it chunks; it calls `onLine` for every
 * complete line (newline removed). Lines longer than `maxLine` bytes are a
 * protocol error reported through `onOverflow` (the buffer is then dropped).
 */
export class PmiLineReader {
  private buf = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 64 * 1024,
    private readonly onOverflow?: (head: string) => void,
  ) {}

  feed(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line);
    }
    if (this.buf.length > this.maxLine) {
      const head = this.buf.slice(0, 80);
      this.buf = '';
      this.onOverflow?.(head);
    }
  }
}
