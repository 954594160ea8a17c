/**
 * A bounded hand-over from a producer (a response stream) to an async iterator:
 * the producer pushes items and may await the push (it resolves once the
 * consumer has taken what was queued), ends the channel or fails it; the
 * consumer iterates with `for await`. Breaking out of the loop runs onReturn
 * (which cancels the stream) and makes later pushes resolve at once.
 */

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private error: Error | undefined;
  private stopped = false;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | undefined;
  private drained: Array<() => void> = [];

  /** onReturn: what to do when the consumer stops early (cancel the stream) */
  constructor(private readonly onReturn: () => void | Promise<void> = () => undefined) {}

  /** Whether the consumer stopped early. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Queue items; resolves once the consumer has taken them (at once if it has stopped). */
  push(...items: T[]): Promise<void> {
    if (this.stopped || this.ended) return Promise.resolve();
    for (const it of items) this.queue.push(it);
    this.wake();
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** No more items: the loop ends once the queue is empty. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The stream failed: the loop throws e once the queue is empty. */
  fail(e: Error): void {
    if (this.ended) return;
    this.error = e;
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.queue.length > 0) {
      this.waiter = undefined;
      w.resolve({ value: this.queue.shift()!, done: false });
      this.release();
    } else if (this.ended) {
      this.waiter = undefined;
      if (this.error) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  private release(): void {
    if (this.queue.length > 0) return;
    for (const r of this.drained.splice(0)) r();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      this.release();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended || this.stopped) {
      if (this.error && !this.stopped) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.stopped && !this.ended) {
      this.stopped = true;
      this.queue.length = 0;
      for (const r of this.drained.splice(0)) r();
      await this.onReturn();
    }
    this.stopped = true;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
