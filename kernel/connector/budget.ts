/**
 * The local connector's shared in-flight budget: bytes of large requests being
 * received plus bytes of replies not yet taken by their clients, across every
 * connection. A large frame (over SMALL_FRAME) is admitted only while the
 * budget has room for its declared size; otherwise its connection stops
 * reading until a frame is done or clients have read their replies. Waiters
 * are admitted in arrival order. Replies that are never read would keep room
 * from being made: the connector disconnects such clients (STALL_MS).
 */

export interface BudgetWaiter {
  /** called once the reservation is made */
  grant(): void;
}

export class InflightBudget {
  /** bytes reserved by large frames being received */
  reserved = 0;
  /** bytes of replies written but not yet taken by clients */
  out = 0;
  private readonly queue: Array<{ w: BudgetWaiter; n: number }> = [];

  constructor(readonly limit: number) {}

  get hasWaiters(): boolean {
    return this.queue.length > 0;
  }

  get total(): number {
    return this.reserved + this.out;
  }

  /** Reserve `n` bytes for a large frame now, if there is room (or nothing else reserved). */
  tryReserve(n: number): boolean {
    if (this.queue.length > 0) return false;
    return this.take(n);
  }

  /** Wait for room for `n` bytes; `w.grant()` runs once they are reserved. */
  wait(w: BudgetWaiter, n: number): void {
    this.queue.push({ w, n });
  }

  /** Forget a waiter (its connection closed). */
  cancel(w: BudgetWaiter): void {
    const i = this.queue.findIndex((q) => q.w === w);
    if (i >= 0) this.queue.splice(i, 1);
    this.admit();
  }

  release(n: number): void {
    this.reserved -= n;
    this.admit();
  }

  addOut(n: number): void {
    this.out += n;
  }

  subOut(n: number): void {
    this.out -= n;
    this.admit();
  }

  private take(n: number): boolean {
    // N.B. a frame larger than the whole budget goes alone, when nothing is held
    if (this.total + n > this.limit && this.total > 0) return false;
    this.reserved += n;
    return true;
  }

  private admit(): void {
    while (this.queue.length > 0 && this.take(this.queue[0]!.n)) this.queue.shift()!.w.grant();
  }
}
