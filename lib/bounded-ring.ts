/**
 * A first-in first-out buffer bounded both by how many items it holds and by
 * their bytes together: an item added past either bound pushes out the oldest.
 * The broker's log ring (`log-ring-size` entries, `log-ring-bytes` bytes) keeps
 * its entries here, so that a few huge log lines cannot grow the broker.
 */
export class BoundedRing<T> {
  private items: T[] = [];
  private total = 0;

  constructor(
    private readonly sizeOf: (item: T) => number,
    public maxCount = 1024,
    public maxBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** bytes of the items held, as sizeOf counts them */
  get bytes(): number {
    return this.total;
  }

  push(item: T): void {
    this.items.push(item);
    this.total += this.sizeOf(item);
    this.trim();
  }

  /** Drop the oldest items until both bounds hold (after a bound was lowered, too). */
  trim(): void {
    let n = 0;
    let bytes = this.total;
    while (this.items.length - n > this.maxCount || (bytes > this.maxBytes && this.items.length - n > 0)) {
      bytes -= this.sizeOf(this.items[n]!);
      n++;
    }
    if (n === 0) return;
    this.items.splice(0, n);
    this.total = bytes;
  }

  all(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
    this.total = 0;
  }
}

/** `text` cut to at most `max` UTF-8 bytes (never inside a character), `+` marking a cut as Flux's shell does. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const buf = Buffer.from(text).subarray(0, Math.max(0, max - 1));
  // a partial character at the end decodes as U+FFFD: drop it
  return buf.toString('utf8').replace(/\uFFFD$/, '') + '+';
}

/**
 * Send `items` with `send`, at most `pieceBytes` of them (as sizeOf counts) per
 * turn of the event loop, so that a large backlog leaves the broker in pieces
 * that the connector writes out between turns instead of one burst. Resolves
 * once all are sent, or early when `stopped()` says the receiver went away.
 */
export async function sendInPieces<T>(items: readonly T[], sizeOf: (item: T) => number, send: (item: T) => void, pieceBytes: number, stopped: () => boolean = () => false): Promise<void> {
  let sent = 0;
  for (const item of items) {
    if (sent >= pieceBytes) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped()) return;
      sent = 0;
    }
    send(item);
    sent += sizeOf(item);
  }
}
