/**
 * Posting job events: appends RFC 18 entries to `job.<id>.eventlog` in the kvs.
 * Appends are sent in order and never awaited by the state machine (the kvs
 * processes them in order); failures are logged, the first of a run of them
 * in full and the rest counted (a full store fails thousands at once, which
 * would push the kvs's own line out of the log ring). The state machine's events
 * are answered once queued for the disk, not once on it ({durable: false}):
 * a crash may lose the last of them, as Flux loses what came after its last
 * checkpoint (docs/adr/0013-group-commit.md); a submit is durable.
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

  /** Append entries; resolves once the kvs has them (with durable, once they are on disk). */
  append(kvsdir: string, entries: Entry[], durable = true): Promise<void> {
    return this.h.rpc('kvs.eventlog-append', { key: `${kvsdir}.eventlog`, entries, ...(durable ? {} : { durable: false }) }).then(
      () => this.failures.worked(),
      (e: Error) => this.failures.failed(`${kvsdir}.eventlog: append failed: ${e.message}`),
    );
  }

  post(kvsdir: string, name: string, context?: Record<string, unknown>, timestamp = now()): void {
    const e: Entry = { timestamp, name };
    if (context !== undefined) e.context = context;
    void this.append(kvsdir, [e], false);
    this.onPost?.(kvsdir, name, context);
  }

  close(kvsdir: string): void {
    this.h.rpc('kvs.eventlog-close', { key: `${kvsdir}.eventlog`, durable: false }).then(
      () => this.failures.worked(),
      (e: Error) => this.failures.failed(`${kvsdir}.eventlog: close failed: ${e.message}`),
    );
  }

  /** an inactive job's directory changes little from now on: the kvs keeps it packed once cold (kvs.pack, a hint) */
  cold(kvsdir: string): void {
    this.h.send('kvs.pack', { key: kvsdir });
  }

  /** Put a value; resolves once it is on disk (durable: false, once queued: a value written with the job's events, R) */
  put(key: string, value: unknown, durable = true): Promise<void> {
    return this.h.rpc('kvs.put', { key, value, ...(durable ? {} : { durable: false }) }).then(() => undefined);
  }
}
