/**
 * Gives memory back once a burst of large messages is over. V8 collects
 * garbage only when JavaScript allocates, and an idle broker allocates next to
 * nothing, so the buffers and strings of a burst that has ended would stay
 * resident for as long as the broker stays idle; glibc, for its part, keeps
 * freed heap pages. After at least `threshold` bytes of large frames have
 * passed and the connector has then been quiet for `quietMs`, this runs one
 * full collection and malloc_trim (N.B. a few ms of pause, once per burst).
 */
import { trimMemory } from '../../lib/native';
import { fullCollection } from '../../lib/idle-reduce';

export class Reclaimer {
  /** large-frame bytes since the last reclaim */
  private bytes = 0;
  /** large-frame bytes since the last collection */
  private sinceCollect = 0;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param busy true while large frames are still being received
   * @param period during a burst, collect after this many bytes of large frames
   *   (a burst's strings and buffers are garbage moments later, and V8 would
   *   otherwise let hundreds of MiB of them pile up before it looks)
   * @param quietMs after a burst, reclaim once nothing large has passed for this long
   */
  constructor(
    private readonly busy: () => boolean,
    private readonly period = 16 * 1024 * 1024,
    private readonly quietMs = 1000,
  ) {}

  /** `n` bytes of large frames passed through (received or sent). */
  note(n: number): void {
    this.bytes += n;
    this.sinceCollect += n;
    this.lastActivity = Date.now();
    if (this.sinceCollect >= this.period) {
      this.sinceCollect = 0;
      fullCollection()?.();
    }
    if (this.bytes >= this.period && this.timer === undefined) this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.check(), this.quietMs);
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    if (this.busy() || Date.now() - this.lastActivity < this.quietMs) {
      this.arm();
      return;
    }
    this.bytes = 0;
    this.sinceCollect = 0;
    fullCollection()?.();
    trimMemory();
    // A second pass a moment later: the first leaves V8 sweeping and freeing
    // pages on its own threads; what they free only goes back on the next.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.bytes > 0) return; // a new burst: its own reclaim will follow
      fullCollection()?.();
      trimMemory();
    }, this.quietMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
