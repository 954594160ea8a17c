/**
 * mnemonicode (Oren Tirosh, public domain): bytes <-> words, 3 words per 4-byte
 * group, words joined by '-', groups by '--'. Used by the RFC 19 `words` encoding.
 * The word list is not bundled yet: encoding reports that plainly.
 */

/** Encode bytes (little-endian groups of 4) as words. */
export function mnEncodeWords(_bytes: readonly number[]): string {
  throw new Error('the words job id encoding is not supported yet');
}

/** Decode words into bytes, or undefined if they are not mnemonicode. */
export function mnDecodeWords(_s: string): number[] | undefined {
  return undefined;
}
