/**
 * Job I/O data as RFC 24 carries it (Flux's ioencode): a chunk of a task's
 * stdout/stderr, or of its stdin, is `data` as text when its bytes are valid
 * UTF-8, else their base64 with `encoding: "base64"`. Bytes in are bytes out:
 * nothing is ever decoded into U+FFFD. Text stays text (no base64 cost, and
 * the output eventlog reads as before).
 */
import { isUtf8 } from 'node:buffer';

/** how an entry's data is encoded: absent for UTF-8 text */
export type DataEncoding = 'base64';

export interface EncodedData {
  data: string;
  encoding?: DataEncoding;
}

/** bytes as RFC 24 data: text when valid UTF-8, else base64 */
export function encodeData(bytes: Uint8Array): EncodedData {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(b)) return { data: b.toString('utf8') };
  return { data: b.toString('base64'), encoding: 'base64' };
}

/**
 * An entry's data (an RFC 24 data context, a stdin request): a string for
 * text, a Buffer for base64; undefined when it has none. An encoding this
 * does not know is refused (Error), never passed on as text.
 */
export function decodeData(c: { data?: unknown; encoding?: unknown }): string | Buffer | undefined {
  if (typeof c.data !== 'string') return undefined;
  const enc = c.encoding;
  if (enc === undefined || enc === null || enc === 'UTF-8' || enc === 'utf-8' || enc === 'utf8') return c.data;
  if (enc === 'base64') return Buffer.from(c.data, 'base64');
  throw new Error(`unknown data encoding ${JSON.stringify(enc)}`);
}

/** the bytes an entry's data stands for */
export function dataBytes(c: { data?: unknown; encoding?: unknown }): number {
  if (typeof c.data !== 'string') return 0;
  if (c.encoding === 'base64') return Buffer.byteLength(c.data, 'base64');
  return Buffer.byteLength(c.data, 'utf8');
}

/**
 * How many bytes at the end of buf begin a UTF-8 character that is not
 * complete yet (0-3): a chunk cut there would split it. Only a lead byte
 * followed by fewer continuation bytes than it announces counts.
 */
export function incompleteTail(buf: Uint8Array): number {
  const n = buf.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = buf[n - k]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * Keeps a partial UTF-8 character from one chunk for the next (stdin read
 * in chunks): each piece it gives is whole characters when the input is
 * text, so text goes as text; anything else goes as base64, byte for byte.
 */
export class Utf8Chunker {
  private carry: Buffer | undefined;

  /** the piece of input to send now (may be empty) */
  write(chunk: Buffer): Buffer {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const keep = incompleteTail(buf);
    this.carry = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : undefined;
    return keep > 0 ? buf.subarray(0, buf.length - keep) : buf;
  }

  /** what is left at the end of the input */
  end(): Buffer {
    const rest = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    return rest;
  }
}

/** the lines of data (each with its newline; a last one without): on bytes for a Buffer, never decoded */
export function splitLines<T extends string | Buffer>(data: T): T[] {
  if (typeof data === 'string') return data.split(/(?<=\n)/) as T[];
  const out: Buffer[] = [];
  const b = data as Buffer;
  let start = 0;
  for (let nl = b.indexOf(0x0a); nl >= 0; nl = b.indexOf(0x0a, start)) {
    out.push(b.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < b.length || out.length === 0) out.push(b.subarray(start));
  return out as T[];
}

/** every line of data prefixed by label (`flux run --label-io`, output.STREAM.label): text stays text, bytes stay bytes */
export function labelLines(data: string | Buffer, label: string): string | Buffer {
  if (typeof data === 'string') return splitLines(data).map((l) => label + l).join('');
  const lab = Buffer.from(label, 'utf8');
  const parts: Buffer[] = [];
  for (const l of splitLines(data)) parts.push(lab, l);
  return Buffer.concat(parts);
}

/** whether data ends with a newline */
export function endsWithNewline(data: string | Buffer): boolean {
  return typeof data === 'string' ? data.endsWith('\n') : data.length > 0 && data[data.length - 1] === 0x0a;
}
