/**
 * The output eventlog of one job (RFC 24, key `job.<id>.guest.output`): events
 * are appended to the kvs in order with at most one `kvs.eventlog-append` in
 * flight (later events batch up behind it), and kept in memory for
 * `job-exec.output-watch` when no kvs is loaded.
 */
import { Errno, FluxError, type Handle, type Message } from '../../kernel/api';
import type { OutEvent } from './shell';

/** shared switch: false once the kvs answered ENOSYS (not loaded) */
export const kvsState = { available: true };

export class OutputLog {
  readonly events: OutEvent[] = [];
  private queue: OutEvent[] = [];
  private inflight: Promise<void> | undefined;
  private readonly watchers = new Set<Message>();
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly h: Handle,
    readonly key: string,
  ) {}

  append(evs: OutEvent[]): void {
    if (evs.length === 0) return;
    for (const e of evs) this.events.push(e);
    for (const w of this.watchers) this.h.respond(w, { entries: evs });
    if (!kvsState.available) return;
    for (const e of evs) this.queue.push(e);
    if (!this.inflight) this.pump();
  }

  private pump(): void {
    const batch = this.queue;
    this.queue = [];
    this.inflight = this.h
      .rpc('kvs.eventlog-append', { key: this.key, entries: batch })
      .then(
        () => undefined,
        (e: unknown) => {
          if (e instanceof FluxError && e.errno === Errno.ENOSYS) kvsState.available = false;
          else this.h.log('err', `${this.key}: append failed: ${(e as Error).message}`);
        },
      )
      .then(() => {
        this.inflight = undefined;
        if (this.queue.length > 0 && kvsState.available) this.pump();
        else this.wake();
      });
  }

  private wake(): void {
    const w = this.idle;
    this.idle = [];
    for (const f of w) f();
  }

  /** resolves when everything appended so far is in the kvs */
  flushed(): Promise<void> {
    if (!this.inflight && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  /** streaming watch: replay, then live batches, ENODATA once closed */
  watch(msg: Message): void {
    if (this.events.length > 0) this.h.respond(msg, { entries: this.events.slice() });
    if (this.closed) this.h.respondError(msg, Errno.ENODATA);
    else this.watchers.add(msg);
  }

  unwatch(match: (m: Message) => boolean): void {
    for (const w of this.watchers) if (match(w)) this.watchers.delete(w);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers) this.h.respondError(w, Errno.ENODATA);
    this.watchers.clear();
    if (kvsState.available) this.h.send('kvs.eventlog-close', { key: this.key });
  }
}
