/**
 * How long data we wrote to a peer's socket has waited without the peer
 * taking any of it (tbon.tcp_user_timeout, liveness.ts). A live but busy peer
 * takes some now and then and never stalls; a stopped or unreachable one
 * stops taking, and its kernel buffer and then our queue fill.
 */
import type * as net from 'node:net';

export class SendStall {
  private since: number | undefined;
  private taken = 0;

  constructor(private readonly sock: net.Socket) {}

  /** ms that written data has waited with no progress (0 while nothing waits or it moves) */
  stalledFor(now: number): number {
    const waiting = this.sock.writableLength;
    if (waiting === 0) {
      this.since = undefined;
      return 0;
    }
    // bytesWritten counts what was handed to write(); what still waits was not taken
    const taken = this.sock.bytesWritten - waiting;
    if (this.since === undefined || taken !== this.taken) {
      this.since = now;
      this.taken = taken;
      return 0;
    }
    return now - this.since;
  }

  /** our own event loop was blocked: what looked like a stall may not be one */
  forgive(now: number): void {
    if (this.since !== undefined) this.since = now;
  }
}
