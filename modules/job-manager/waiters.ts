/**
 * Requests that wait for job progress: wait-inactive (one job),
 * wait-inactive-many (inactive-batches.ts), wait (waitable jobs, flux job
 * wait), drain (no active jobs), idle (no running jobs) and pending-watch (why
 * a pending job waits, streamed until it leaves the queue).
 * They live here, keyed by job or kind, never on the job record.
 */
import { Errno, type Handle, type Message } from '../../kernel/api';
import { InactiveBatches } from './inactive-batches';

export class Waiters {
  readonly inactive = new Map<number, Message[]>();
  readonly waitable = new Map<number, Message>();
  /** flux job wait without an id */
  readonly anyWaitable: Message[] = [];
  readonly drain: Message[] = [];
  readonly idle: Message[] = [];
  /** pending-watch streams by job */
  readonly pending = new Map<number, Message[]>();
  readonly batches: InactiveBatches;

  constructor(private readonly h: Handle) {
    this.batches = new InactiveBatches(h);
  }

  addInactive(id: number, msg: Message): void {
    let l = this.inactive.get(id);
    if (!l) this.inactive.set(id, (l = []));
    l.push(msg);
  }

  /** Answer and forget all inactive waiters of a job. */
  fireInactive(id: number, payload: Record<string, unknown>): void {
    this.batches.fire(id, payload);
    const l = this.inactive.get(id);
    if (!l) return;
    this.inactive.delete(id);
    for (const m of l) this.h.respond(m, payload);
  }

  addPending(id: number, msg: Message): void {
    let l = this.pending.get(id);
    if (!l) this.pending.set(id, (l = []));
    l.push(msg);
  }

  /** a pending job's reason changed */
  tellPending(id: number, payload: unknown): void {
    for (const m of this.pending.get(id) ?? []) this.h.respond(m, payload);
  }

  /** the job left the queue: end its pending-watch streams */
  endPending(id: number): void {
    const l = this.pending.get(id);
    if (!l) return;
    this.pending.delete(id);
    for (const m of l) this.h.respondError(m, Errno.ENODATA);
  }

  fireAll(list: Message[], payload: unknown): void {
    for (const m of list.splice(0)) this.h.respond(m, payload);
  }

  /** A client went away: forget its requests. */
  disconnect(sender: string): void {
    const mine = (m: Message) => m.route[0] === sender;
    this.batches.disconnect(sender);
    for (const [id, l] of this.inactive) {
      const keep = l.filter((m) => !mine(m));
      if (keep.length === 0) this.inactive.delete(id);
      else this.inactive.set(id, keep);
    }
    for (const [id, m] of this.waitable) if (mine(m)) this.waitable.delete(id);
    for (const [id, l] of this.pending) {
      const keep = l.filter((m) => !mine(m));
      if (keep.length === 0) this.pending.delete(id);
      else this.pending.set(id, keep);
    }
    for (const list of [this.anyWaitable, this.drain, this.idle]) {
      for (let i = list.length - 1; i >= 0; i--) if (mine(list[i]!)) list.splice(i, 1);
    }
  }

  /** Module unloading: end everything. */
  abort(): void {
    this.batches.abort();
    for (const l of this.inactive.values()) for (const m of l) this.h.respondError(m, Errno.ENOSYS, 'job-manager is unloading');
    this.inactive.clear();
    for (const m of this.waitable.values()) this.h.respondError(m, Errno.ENOSYS, 'job-manager is unloading');
    this.waitable.clear();
    for (const l of this.pending.values()) for (const m of l) this.h.respondError(m, Errno.ENOSYS, 'job-manager is unloading');
    this.pending.clear();
    for (const list of [this.anyWaitable, this.drain, this.idle]) {
      for (const m of list.splice(0)) this.h.respondError(m, Errno.ENOSYS, 'job-manager is unloading');
    }
  }
}
