/**
 * mnemonicode (Oren Tirosh): bytes <-> words, 3 words per 4-byte group, words
 * joined by '-', groups by '--'. Used by the RFC 19 `words` encoding.
 * Its 1626-word list is not on any registry this project builds from, and a
 * list typed from memory would print ids that real Flux reads differently, so
 * encoding says plainly that it is not available, as one line.
 */
import { Errno } from '../errno';
import { FluxError } from '../errors';

export const WORDS_UNAVAILABLE = 'the words job id encoding is not available (flux-ts has no mnemonicode word list); use f58, dec, hex, dothex or kvs';

/** Encode bytes (little-endian groups of 4) as words. */
export function mnEncodeWords(_bytes: readonly number[]): string {
  throw new FluxError(Errno.ENOSYS, WORDS_UNAVAILABLE);
}

/** Decode words into bytes, or undefined if they are not mnemonicode. */
export function mnDecodeWords(_s: string): number[] | undefined {
  return undefined;
}
