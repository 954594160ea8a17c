/**
 * mnemonicode (Oren Tirosh's scheme, the RFC 19 `words` job id encoding):
 * bytes in groups of 4, each group a little-endian number written as 3
 * base-1626 digits, one word each (a last group of 3 bytes ends on one of 7
 * extra words, of 1 byte on one word, of 2 bytes on two). Words of a group are
 * joined by `-`, groups by `--`, as Flux prints them:
 * `academy-academy-academy--academy-academy-academy` is id 0. The word list
 * is ./mnemonic-words.ts.
 */
import { MN_WORDS } from './mnemonic-words';

const BASE = 1626;
const INDEX = new Map<string, number>(MN_WORDS.map((w, i) => [w, i]));

/** words needed for n bytes */
export function mnWordsRequired(n: number): number {
  return Math.floor(((n + 1) * 3) / 4);
}

/** the little-endian number of up to 4 bytes of a group */
function groupValue(bytes: readonly number[], at: number): number {
  let x = 0;
  for (let i = Math.min(3, bytes.length - at - 1); i >= 0; i--) x = x * 256 + (bytes[at + i]! & 0xff);
  return x;
}

/** Encode bytes as words: `w-w-w--w-w-w`. */
export function mnEncodeWords(bytes: readonly number[]): string {
  let out = '';
  for (let n = 0; n < mnWordsRequired(bytes.length); n++) {
    const at = Math.floor(n / 3) * 4;
    const remaining = Math.min(4, bytes.length - at);
    let x = groupValue(bytes, at);
    let extra = 0;
    if (n % 3 === 2) {
      if (remaining === 3) extra = BASE;
      x = Math.floor(x / (BASE * BASE));
    } else if (n % 3 === 1) x = Math.floor(x / BASE);
    if (n > 0) out += n % 3 === 0 ? '--' : '-';
    out += MN_WORDS[(x % BASE) + extra];
  }
  return out;
}

/**
 * Decode words (any non-letters separate them, case does not matter) into
 * size bytes; undefined for an unknown word, a word out of place, a value
 * that does not fit, or words for more or fewer than size bytes.
 */
export function mnDecodeWords(s: string, size = 8): number[] | undefined {
  const dest = new Array<number>(size).fill(0);
  let offset = 0;
  const store = (groupofs: number, x: number) => {
    for (let i = 0; i < 4 && groupofs + i < size; i++) {
      dest[groupofs + i] = x % 256;
      x = Math.floor(x / 256);
    }
  };
  for (const word of s.split(/[^A-Za-z]+/).filter((w) => w.length > 0)) {
    const w = INDEX.get(word.toLowerCase());
    if (w === undefined || offset >= size) return undefined;
    if (w >= BASE && offset % 4 !== 2) return undefined;
    const groupofs = offset & ~3;
    let x = groupValue(dest, groupofs);
    switch (offset % 4) {
      case 0:
        x = w;
        offset++;
        break;
      case 1:
        x += w * BASE;
        offset++;
        break;
      case 2:
        if (w >= BASE) {
          x += (w - BASE) * BASE * BASE;
          offset++;
        } else {
          // the 3-word combinations beyond 2^32
          if (w >= 1625 || (w === 1624 && x > 1312671)) return undefined;
          x += w * BASE * BASE;
          offset += 2;
        }
        break;
      default:
        return undefined;
    }
    store(groupofs, x);
  }
  // a short last group must not carry more than its bytes hold
  const last = groupValue(dest, offset & ~3);
  if ((offset % 4 === 1 && last > 0xff) || (offset % 4 === 2 && last > 0xffff)) return undefined;
  return offset === size ? dest : undefined;
}
