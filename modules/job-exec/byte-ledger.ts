/**
 * What an output sink has been given and what of it is done with (written,
 * or dropped after a failure), and who waits for the two to meet: the
 * accounting behind flushed() of the file sink (file-sink.ts) and of a
 * guest's writer (user-sink.ts).
 */
export class ByteLedger {
  /** bytes given to the sink */
  private accepted = 0;
  /** bytes written, or dropped */
  private settled = 0;
  private readonly waiters: Array<{ mark: number; resolve: () => void }> = [];

  /** given and not yet done with */
  get pending(): number {
    return this.accepted - this.settled;
  }

  accept(bytes: number): void {
    this.accepted += bytes;
  }

  settle(bytes: number): void {
    this.settled += bytes;
    this.wake();
  }

  /** everything given so far counts as done (a failure or an abort dropped it) */
  settleAll(): void {
    this.settled = this.accepted;
    this.wake();
  }

  /** resolves once everything given so far is done with */
  flushed(): Promise<void> {
    if (this.settled >= this.accepted) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ mark: this.accepted, resolve }));
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const keep = [];
    for (const w of this.waiters) {
      if (w.mark <= this.settled) w.resolve();
      else keep.push(w);
    }
    this.waiters.splice(0, this.waiters.length, ...keep);
  }
}
