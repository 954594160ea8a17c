/**
 * Limits on what a message may carry, checked where bytes enter the broker
 * (docs/man7/flux-broker-attributes.md, LIMITS). They are fixed rather than
 * configurable because the broker's own safety rests on them: a payload nested
 * deeper than JSON.stringify can recurse (about 4000 levels on Node 20) would
 * throw wherever it is re-encoded, so clients get a limit well below that and
 * the broker keeps the rest as headroom for the envelopes it wraps values in.
 */

/** Largest frame body accepted on a stream socket (bytes). */
export const MAX_FRAME = 16 * 1024 * 1024;

/** Deepest nesting of arrays and objects a client's payload may have. */
export const CLIENT_PAYLOAD_DEPTH = 512;

/**
 * Frames larger than this draw on the connector's shared in-flight budget
 * before their body is read; smaller ones (every ordinary command) never wait.
 */
export const SMALL_FRAME = 64 * 1024;

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** Index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(buf: Uint8Array, open: number): number {
  let j = open;
  for (;;) {
    // indexOf is memchr: long strings cost next to nothing
    j = buf.indexOf(QUOTE, j + 1);
    if (j < 0) return -1;
    let k = j - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even run of backslashes escapes nothing
  }
}

/**
 * Does the JSON text in `buf` nest arrays/objects deeper than `max`? A byte
 * scan that skips string contents (bytes >= 0x80 are never structural in
 * UTF-8), so it costs one pass and no allocation; it does not validate, the
 * parser that follows does.
 */
export function jsonDepthExceeds(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === QUOTE) {
      i = closingQuote(buf, i);
      if (i < 0) return false;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * Parse a byte size: digits with an optional binary suffix K, M or G
 * ("64M" = 64 MiB). Undefined when the text is not such a size.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const shift = { '': 0, K: 10, M: 20, G: 30 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const v = Number(m[1]) * 2 ** shift;
  return Number.isSafeInteger(v) ? v : undefined;
}
