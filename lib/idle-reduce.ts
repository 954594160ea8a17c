/**
 * Gives memory back when the broker goes idle (attribute broker.idle-reduce).
 * A broker is watched from RUN on (kernel/broker.ts): a follower waiting for
 * its parent or quorum is quiet, but about to run what a reduction drops.
 * Start-up and every burst of work grow V8's young generation (to 8 MiB, of
 * which an idle broker uses little) and leave garbage in the old one; V8
 * collects only when JavaScript allocates, and an idle broker allocates next
 * to nothing, so all of it would stay resident for as long as it stays idle.
 * Once the broker's router has passed fewer than 10 messages a second for the
 * quiet period (none at all, a module's background poll, a command now and then),
 * this runs V8's memory-reducing collection (the addon's lowMemory(): V8's
 * LowMemoryNotification, then malloc_trim) — or a plain full collection and
 * malloc_trim on a build without it — once, and not again until the broker has
 * been busy (more traffic than that) and gone idle again. With no traffic at
 * all its timer stops until the next message. The pause (tens of ms) falls on
 * an idle broker, never on a message's path; the router's only cost is one
 * counter increment a message.
 *
 * One reducer serves the whole process: the brokers of `flux start
 * --test-in-process` share one V8 heap, which is idle only when all of them are.
 */
import type * as V8 from 'node:v8';
import type * as Vm from 'node:vm';
import { lowMemory, trimMemory } from './native';
import { tryParse as parseFsd } from './formats/fsd';
import { BEFORE_IDLE_FLUSH } from './process-events';

/** broker.idle-reduce (checked when set: none, or an FSD up to 1d) in ms; undefined when off (none, 0) */
export function idleReduceMs(text: string | undefined): number | undefined {
  if (text === undefined || text === 'none') return undefined;
  const secs = parseFsd(text);
  return secs === undefined || !(secs > 0) ? undefined : Math.max(1, Math.round(secs * 1000));
}

/** What the router counts (Router.traffic) and how it tells of new traffic after a reduction. */
export interface Watched {
  readonly traffic: number;
  /** called (once, then cleared) on the next message */
  wake: (() => void) | undefined;
}

/** The last reduction, for `flux module stats broker`. */
export interface Reduction {
  /** seconds since the epoch */
  time: number;
  /** v8-low-memory: the addon's lowMemory(); full-gc: a full collection and malloc_trim */
  method: 'v8-low-memory' | 'full-gc';
  rssBefore: number;
  rssAfter: number;
  ms: number;
}

/**
 * V8's gc(). N.B. called without arguments: that is a full, synchronous
 * collection; Node 20's V8 takes an options object as a request for a minor
 * or asynchronous one.
 */
export type Collector = () => void;
let collector: Collector | null | undefined;

/**
 * V8's full collection: the global gc() under --expose-gc, else exposed to a
 * fresh context (the flag exposes it to contexts made afterwards). node:v8 and
 * node:vm are loaded only when first asked: an idle broker with the addon's
 * lowMemory() never needs them.
 */
export function fullCollection(): Collector | null {
  if (collector === undefined) {
    const g = (globalThis as { gc?: Collector }).gc;
    if (typeof g === 'function') return (collector = g);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('node:v8') as typeof V8).setFlagsFromString('--expose-gc');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      collector = (require('node:vm') as typeof Vm).runInNewContext('gc') as Collector;
    } catch {
      collector = null;
    }
  }
  return collector;
}

/**
 * Messages a second (per watched broker) below which a broker counts as idle:
 * rank 0's resource module polls broker.online every second (4 messages), and
 * a command every few seconds is not work worth keeping memory for.
 */
const IDLE_RATE = 10;

class IdleReducer {
  private readonly watched = new Map<Watched, number>();
  /** traffic summed over the watched routers at the last look */
  private seen = -1;
  private timer: NodeJS.Timeout | undefined;
  /** reduced since the last busy period: not again until traffic has been busy */
  private reduced = false;
  count = 0;
  last: Reduction | undefined;

  /** Watch `w` with quiet period `quietMs` (the shortest of every watcher's wins). */
  watch(w: Watched, quietMs: number): void {
    this.watched.set(w, quietMs);
    this.arm();
  }

  unwatch(w: Watched): void {
    this.watched.delete(w);
    w.wake = undefined;
    if (this.watched.size === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** the watched brokers' quiet period, or undefined with none */
  quietMs(): number | undefined {
    let q: number | undefined;
    for (const ms of this.watched.values()) q = q === undefined ? ms : Math.min(q, ms);
    return q;
  }

  private traffic(): number {
    let n = 0;
    for (const w of this.watched.keys()) n += w.traffic;
    return n;
  }

  private arm(): void {
    const q = this.quietMs();
    if (this.timer !== undefined || q === undefined) return;
    this.seen = this.traffic();
    this.timer = setTimeout(() => this.check(q), q);
    this.timer.unref();
  }

  /**
   * Every quiet period while there is traffic: fewer than IDLE_RATE messages a
   * second (per broker) is idle — a module's background poll, a command now
   * and then — and the first idle period after activity reduces. With no
   * message at all the timer stops until the next one (Router.wake).
   */
  private check(quietMs: number): void {
    this.timer = undefined;
    const delta = this.traffic() - this.seen;
    const idle = delta <= (IDLE_RATE * quietMs * this.watched.size) / 1000;
    if (!idle) this.reduced = false;
    else if (!this.reduced) {
      this.reduce();
      this.reduced = true;
    }
    if (delta > 0 || !idle) {
      this.arm();
      return;
    }
    const wake = () => {
      for (const w of this.watched.keys()) w.wake = undefined;
      this.arm();
    };
    for (const w of this.watched.keys()) w.wake = wake;
  }

  private reduce(): void {
    const rssBefore = process.memoryUsage.rss();
    const t0 = process.hrtime.bigint();
    let method: Reduction['method'] = 'v8-low-memory';
    // The first time only, the bytecode of every function not running goes
    // too: most of what exists then is start-up code that will not run again,
    // and a function called later compiles again (microseconds). After a
    // burst, V8's own ageing flushes only what has not run for a while, so the
    // next burst starts with its hot functions compiled and optimised. A code
    // cache still to be written (cli/bundle-loader.ts) is written before that:
    // it is for start-up.
    if (this.count === 0) (process as NodeJS.EventEmitter).emit(BEFORE_IDLE_FLUSH);
    if (!lowMemory(this.count === 0)) {
      method = 'full-gc';
      fullCollection()?.();
      trimMemory();
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    this.count++;
    this.last = { time: Date.now() / 1000, method, rssBefore, rssAfter: process.memoryUsage.rss(), ms };
  }
}

/** the process's reducer */
export const idleReducer = new IdleReducer();
