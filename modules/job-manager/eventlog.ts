/**
 * Posting job events: appends RFC 18 entries to `job.<id>.eventlog` in the kvs.
 * Appends are sent in order and never awaited by the state machine (the kvs
 * processes them in order); failures are logged, the first of a run of them
 * in full and the rest counted (a full store fails thousands at once, which
 * would push the kvs's own line out of the log ring). The state machine's events
 * are answered once queued for the disk, not once on it ({durable: false}):
 * a crash may lose the last of them, as Flux loses what came after its last
 * checkpoint (docs/adr/0013-group-commit.md); a submit is durable.
 *
 * The events a job gets in one synchronous run (release, free, clean and the
 * close of its eventlog come together) go in one append: posts are gathered
 * until the current task's microtasks run, by job, in order, and a close is
 * folded into the append before it (kvs.eventlog-append {close}).
 */
import type { Handle } from '../../kernel/api';
import { eventTime } from '../../lib/event-time';

/** Epoch seconds with microseconds. */
export function now(): number {
  return eventTime();
}

export interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

/** The first failure of a run is logged; the rest are counted and told in one line when one works again. */
class FailureRun {
  private failing = false;
  private more = 0;

  constructor(private readonly log: (msg: string) => void) {}

  failed(msg: string): void {
    if (this.failing) {
      this.more++;
      return;
    }
    this.failing = true;
    this.log(`${msg} (the next failures are counted until one works)`);
  }

  worked(): void {
    if (!this.failing) return;
    if (this.more > 0) this.log(`${this.more} more eventlog writes failed before this one worked`);
    this.failing = false;
    this.more = 0;
  }
}

export class EventPoster {
  /** told of every event posted (jobtap's job.event.NAME), after it is sent */
  onPost: ((kvsdir: string, name: string, context?: Record<string, unknown>) => void) | undefined;

  private readonly failures: FailureRun;

  constructor(private readonly h: Handle) {
    this.failures = new FailureRun((msg) => h.log('err', msg));
  }

  /** posts not yet sent, by job directory (in order), and whether the log is closed after them */
  private pending = new Map<string, { entries: Entry[]; close: boolean }>();
  private flushQueued = false;

  /** Append entries; resolves once the kvs has them (with durable, once they are on disk). */
  append(kvsdir: string, entries: Entry[], durable = true): Promise<void> {
    // after this job's posts still gathered: the log keeps the order they were made in
    this.send(kvsdir);
    return this.appendNow(kvsdir, entries, durable, false);
  }

  private appendNow(kvsdir: string, entries: Entry[], durable: boolean, close: boolean): Promise<void> {
    return this.h.rpc('kvs.eventlog-append', { key: `${kvsdir}.eventlog`, entries, ...(durable ? {} : { durable: false }), ...(close ? { close: true } : {}) }).then(
      () => this.failures.worked(),
      (e: Error) => this.failures.failed(`${kvsdir}.eventlog: append failed: ${e.message}`),
    );
  }

  post(kvsdir: string, name: string, context?: Record<string, unknown>, timestamp = now()): void {
    const e: Entry = { timestamp, name };
    if (context !== undefined) e.context = context;
    let p = this.pending.get(kvsdir);
    if (!p) {
      this.pending.set(kvsdir, (p = { entries: [], close: false }));
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    }
    p.entries.push(e);
    this.onPost?.(kvsdir, name, context);
  }

  close(kvsdir: string): void {
    const p = this.pending.get(kvsdir);
    if (p) {
      p.close = true;
      return;
    }
    this.h.rpc('kvs.eventlog-close', { key: `${kvsdir}.eventlog`, durable: false }).then(
      () => this.failures.worked(),
      (e: Error) => this.failures.failed(`${kvsdir}.eventlog: close failed: ${e.message}`),
    );
  }

  /**
   * an inactive job's directory changes little from now on: the kvs keeps it
   * packed once cold (kvs.pack, a hint), after the job's last posts
   */
  cold(kvsdir: string): void {
    this.send(kvsdir);
    this.h.send('kvs.pack', { key: kvsdir });
  }

  /** send one job's gathered posts now */
  private send(kvsdir: string): void {
    const p = this.pending.get(kvsdir);
    if (!p) return;
    this.pending.delete(kvsdir);
    void this.appendNow(kvsdir, p.entries, false, p.close);
  }

  private flush(): void {
    this.flushQueued = false;
    for (const kvsdir of [...this.pending.keys()]) this.send(kvsdir);
  }

  /** Put a value; resolves once it is on disk (durable: false, once queued: a value written with the job's events, R) */
  put(key: string, value: unknown, durable = true): Promise<void> {
    return this.h.rpc('kvs.put', { key, value, ...(durable ? {} : { durable: false }) }).then(() => undefined);
  }
}
