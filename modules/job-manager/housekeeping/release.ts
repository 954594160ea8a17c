/**
 * When a job's ranks go back to the scheduler once their housekeeping ends
 * (`release-after`): unset (-1), all together when the last one ends; 0, each
 * as it ends; a duration, those ended when a timer started at the first end
 * fires, then each as it ends. The last free is `final`.
 */
import { longTimeout, rv1Build, rv1Expand, idset, type LongTimer, type Rv1 } from '../../../kernel/api';

export class ReleasePlan {
  /** ranks whose housekeeping has not ended */
  private readonly pending: Set<number>;
  /** the part of R not yet freed */
  private rest: Rv1;
  private timer: LongTimer | undefined;
  private timerExpired = false;

  constructor(
    R: Rv1,
    private readonly releaseAfter: number,
    private readonly free: (R: Rv1, final: boolean) => void,
  ) {
    this.rest = R;
    this.pending = new Set(rv1Expand(R).map((r) => r.rank));
  }

  /** the rank's housekeeping ended */
  done(rank: number): void {
    if (!this.pending.delete(rank)) return;
    if (this.pending.size === 0 || this.releaseAfter === 0 || this.timerExpired) this.release();
    if (this.timer === undefined && !this.timerExpired && this.releaseAfter > 0 && this.pending.size > 0) {
      this.timer = longTimeout(() => {
        this.timerExpired = true;
        this.timer = undefined;
        this.release();
      }, this.releaseAfter * 1000);
    }
  }

  /** free the ranks of the rest whose housekeeping has ended */
  private release(): void {
    const all = rv1Expand(this.rest);
    const ended = all.filter((r) => !this.pending.has(r.rank));
    if (ended.length === 0) return;
    const kept = all.filter((r) => this.pending.has(r.rank));
    const opts = { starttime: this.rest.execution.starttime, expiration: this.rest.execution.expiration };
    this.rest = rv1Build(kept, opts);
    this.free(rv1Build(ended, opts), this.pending.size === 0);
  }

  /** the ranks not yet freed, as an idset */
  allocatedRanks(): string {
    return idset.encode(rv1Expand(this.rest).map((r) => r.rank));
  }

  remaining(): Rv1 {
    return this.rest;
  }

  close(): void {
    this.timer?.clear();
    this.timer = undefined;
  }
}
