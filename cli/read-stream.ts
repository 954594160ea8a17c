/**
 * Read a stream (stdin, a file) to its end, but never more than `max` bytes:
 * what a command sends in one message cannot be larger than a frame, so
 * reading further (`</dev/zero`) would only hang and grow.
 */
import type { Readable } from 'node:stream';

/** The stream's bytes, or undefined once it holds more than `max` (reading stops there). */
export async function readAtMost(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) {
      stream.destroy();
      return undefined;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
