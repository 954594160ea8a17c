/**
 * Matchtags (RFC 6): each request that expects an answer carries a number its
 * sender has in use for nothing else, and each response carries it back. A tag
 * is given back for reuse only once no response can still arrive with it (the
 * RPC's answer, or a stream's last response). A tag whose answer may still come
 * but is no longer awaited (an RPC that timed out, a stream whose server was
 * never told to stop) is retired: never handed out again until the 32-bit
 * counter wraps, so a late response is dropped instead of reaching a newer call.
 */
import { Errno } from '../errno';
import { FluxError } from '../errors';

/** the largest matchtag (0 is MATCHTAG_NONE) */
export const MATCHTAG_MAX = 0xffffffff;

export class TagPool {
  private readonly free: number[] = [];
  private next = 1;
  private retiredCount = 0;

  /** inUse: whether a tag is held now (checked only after the counter wrapped) */
  constructor(
    private readonly inUse: (tag: number) => boolean,
    private readonly max = MATCHTAG_MAX,
  ) {}

  /** A tag no call holds: the last one given back, else a fresh one. */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    for (let tries = 0; tries < this.max; tries++) {
      const tag = this.next;
      this.next = tag >= this.max ? 1 : tag + 1;
      if (!this.inUse(tag)) return tag;
    }
    throw new FluxError(Errno.EAGAIN, 'no free matchtag: every one is held by an outstanding request');
  }

  /** No response can arrive with tag any more: hand it out again. */
  release(tag: number): void {
    this.free.push(tag);
  }

  /** A response may still arrive with tag but nobody awaits it: never reuse it (until the counter wraps). */
  retire(_tag: number): void {
    this.retiredCount++;
  }

  /** tags waiting for reuse */
  get reusable(): number {
    return this.free.length;
  }

  /** tags retired so far */
  get retired(): number {
    return this.retiredCount;
  }
}
