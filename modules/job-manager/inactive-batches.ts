/**
 * wait-inactive-many: one streaming request for many jobs (`flux submit --cc
 * ... --wait`). Each response carries the summaries of the jobs that became
 * inactive since the last one ({jobs}); ENODATA follows the last. A request
 * for one job a job woke the waiting client once a job, and each wake-up cost
 * the client ~0.2 ms of CPU and the broker a write: over a burst that was CPU
 * the jobs themselves needed. Summaries wait here at most BATCH_MS (or until
 * BATCH_MAX are ready) before they go out; the request's last job goes out at
 * once, so a batch that ends is answered without delay.
 */
import { Errno, type Handle, type Message } from '../../kernel/api';

/** how long a ready summary may wait for others before it goes out */
export const BATCH_MS = 50;
/** summaries in one response at most (bounds a response's size) */
export const BATCH_MAX = 256;

type Summary = Record<string, unknown>;

interface Batch {
  readonly msg: Message;
  /** the jobs not yet inactive */
  readonly left: Set<number>;
  ready: Summary[];
  timer: NodeJS.Timeout | undefined;
}

export class InactiveBatches {
  /** job id -> the batches that wait on it */
  private readonly byJob = new Map<number, Batch[]>();
  private readonly all = new Set<Batch>();

  constructor(private readonly h: Handle) {}

  /**
   * A request for `ids`: `done` holds the summaries of those already
   * inactive (they go out at once), `left` the others.
   */
  add(msg: Message, done: Summary[], left: readonly number[]): void {
    const b: Batch = { msg, left: new Set(left), ready: done, timer: undefined };
    if (b.left.size === 0) {
      // one answer even for no ids at all, then the end
      this.h.respond(msg, { jobs: done });
      this.h.respondError(msg, Errno.ENODATA);
      return;
    }
    this.all.add(b);
    for (const id of b.left) {
      const l = this.byJob.get(id);
      if (l) l.push(b);
      else this.byJob.set(id, [b]);
    }
    if (b.ready.length > 0) this.flush(b);
  }

  /** job `id` became inactive */
  fire(id: number, summary: Summary): void {
    const l = this.byJob.get(id);
    if (!l) return;
    this.byJob.delete(id);
    for (const b of l) {
      b.left.delete(id);
      b.ready.push(summary);
      if (b.left.size === 0) {
        this.flush(b);
        this.h.respondError(b.msg, Errno.ENODATA);
        this.forget(b);
      } else if (b.ready.length >= BATCH_MAX) this.flush(b);
      else b.timer ??= setTimeout(() => this.flush(b), BATCH_MS);
    }
  }

  private flush(b: Batch): void {
    if (b.timer !== undefined) clearTimeout(b.timer);
    b.timer = undefined;
    if (b.ready.length === 0) return;
    const jobs = b.ready;
    b.ready = [];
    this.h.respond(b.msg, { jobs });
  }

  private forget(b: Batch): void {
    if (b.timer !== undefined) clearTimeout(b.timer);
    this.all.delete(b);
    for (const id of b.left) {
      const l = this.byJob.get(id);
      if (!l) continue;
      const keep = l.filter((x) => x !== b);
      if (keep.length === 0) this.byJob.delete(id);
      else this.byJob.set(id, keep);
    }
  }

  /** A client went away: forget its requests. */
  disconnect(sender: string): void {
    for (const b of [...this.all]) if (b.msg.route[0] === sender) this.forget(b);
  }

  /** Module unloading: send what is ready, then end every request. */
  abort(): void {
    for (const b of [...this.all]) {
      this.flush(b);
      this.forget(b);
      this.h.respondError(b.msg, Errno.ENOSYS, 'job-manager is unloading');
    }
  }
}
