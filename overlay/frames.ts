/**
 * Length-prefixed frames (u32 big-endian length + body) read one at a time, with
 * an adjustable maximum checked before the body is buffered: a handshake reads
 * one small frame and leaves whatever follows for the established link.
 */
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';

export class FrameSplitter {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = -1;
  constructor(public max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.have += chunk.length;
  }

  /** the next complete frame body, or undefined; throws EMSGSIZE for an oversized length */
  next(): Buffer | undefined {
    if (this.need < 0) {
      if (this.have < 4) return undefined;
      const len = this.take(4).readUInt32BE(0);
      if (len > this.max) throw new FluxError(Errno.EMSGSIZE, `frame of ${len} bytes exceeds the maximum of ${this.max}`);
      this.need = len;
    }
    if (this.have < this.need) return undefined;
    const body = this.take(this.need);
    this.need = -1;
    return body;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.have);
    const head = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.have = rest.length;
    return head;
  }
}
