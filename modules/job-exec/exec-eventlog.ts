/**
 * A job's execution eventlog (RFC 50-style, the kvs key
 * `job.<id>.guest.exec.eventlog`) as job-exec posts it: `init`, `starting`,
 * `shell.init`, `shell.start` (with the RFC 34 taskmap), `complete`
 * {status}, `done`; then the log is closed, so that a watcher
 * (`flux job wait-event -p exec`, `flux job attach -X`) ends instead of
 * waiting for an event that can no longer come.
 *
 * Entries are appended in order, one kvs.eventlog-append in flight and the
 * ones posted meanwhile batched behind it; nothing waits for them but close().
 * The kvs answers them once queued for the disk ({durable: false}, ADR 0013):
 * the job's end does not wait for an fsync.
 */
import { Errno, FluxError, encodeKvs, type Handle } from '../../kernel/api';
import type { ShellPlacement } from './taskmap';
import { eventTime } from '../../lib/event-time';

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

const now = () => eventTime();

/** RFC 34 taskmap of a block placement: [nodeid, nnodes, ppn, repeat] blocks, nodes with equal counts merged */
export function blockTaskmap(placements: readonly ShellPlacement[]): { version: 1; map: Array<[number, number, number, number]> } {
  const map: Array<[number, number, number, number]> = [];
  const sorted = [...placements].sort((a, b) => a.shellRank - b.shellRank);
  for (const p of sorted) {
    const last = map[map.length - 1];
    if (last && last[2] === p.count && last[0] + last[1] === p.shellRank) last[1]++;
    else map.push([p.shellRank, 1, p.count, 1]);
  }
  return { version: 1, map };
}

export class ExecEventlog {
  readonly key: string;
  private queue: Entry[] = [];
  private inflight = false;
  private closed = false;
  /** a pump is queued for the end of this synchronous run */
  private scheduled = false;
  /** the last append closed the log (kvs.eventlog-append {close}): no eventlog-close to send */
  private closedByAppend = false;
  private idle: Array<() => void> = [];
  /** the kvs refused (no kvs module): posting stops quietly, the job does not depend on it */
  private off = false;

  constructor(
    private readonly h: Handle,
    id: number,
  ) {
    this.key = `${encodeKvs(id)}.guest.exec.eventlog`;
  }

  post(name: string, context?: Record<string, unknown>): void {
    if (this.closed || this.off) return;
    this.queue.push(context === undefined ? { timestamp: now(), name } : { timestamp: now(), name, context });
    // the events of one synchronous run (starting and shell.init) go in one append
    if (!this.inflight && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        if (!this.inflight && this.queue.length > 0 && !this.off) this.pump();
      });
    }
  }

  private pump(): void {
    const entries = this.queue;
    this.queue = [];
    this.inflight = true;
    // once close() was called nothing more is posted: this batch is the last, and closes the log with it
    const close = this.closed;
    this.h
      .rpc('kvs.eventlog-append', { key: this.key, entries, durable: false, ...(close ? { close: true } : {}) })
      .then(
        () => {
          if (close) this.closedByAppend = true;
        },
        (e: unknown) => {
          if (e instanceof FluxError && e.errno === Errno.ENOSYS) this.off = true;
          else this.h.log('err', `${this.key}: append failed: ${(e as Error).message}`);
        },
      )
      .then(() => {
        this.inflight = false;
        if (this.queue.length > 0 && !this.off) this.pump();
        else {
          this.queue = [];
          for (const f of this.idle.splice(0)) f();
        }
      });
  }

  /** everything posted is in the kvs, and the log is closed (watchers end) */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inflight || this.queue.length > 0) await new Promise<void>((r) => this.idle.push(r));
    if (this.off || this.closedByAppend) return;
    await this.h.rpc('kvs.eventlog-close', { key: this.key, durable: false }).catch(() => undefined);
  }
}
