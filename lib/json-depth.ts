/**
 * How deep a JSON text nests, found without parsing it: what a server checks
 * where bytes enter, before it hands them to JSON.parse.
 */

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
