/**
 * Timers for durations a user chooses (a job's time limit, a begin-time, an
 * exit-timeout, an age limit, a --timeout option). Node's setTimeout takes at
 * most 2^31-1 ms (24.8 days) and fires after 1 ms for anything larger, so a
 * `flux run -t 25d` job timed out at once. A long timer re-arms a Node timer
 * in steps of at most that size until its deadline (kept on the monotonic
 * clock) has passed. An infinite delay never fires.
 */
import { monoMs } from './clock';

/** the largest delay setTimeout honours */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer made by longTimeout(). */
export interface LongTimer {
  /** stop it; it will not fire */
  clear(): void;
  /** do not keep the process alive for it (as Timeout.unref()) */
  unref(): LongTimer;
}

/**
 * Call fn once after ms milliseconds, for any ms >= 0 (Infinity: never; NaN and
 * negative values count as 0).
 */
export function longTimeout(fn: () => void, ms: number): LongTimer {
  const delay = Number.isNaN(ms) || ms < 0 ? 0 : ms;
  const deadline = monoMs() + delay;
  let t: NodeJS.Timeout | undefined;
  let weak = false;
  let cleared = false;
  const arm = () => {
    if (cleared || delay === Infinity) return;
    const left = deadline - monoMs();
    if (left <= 0 && t !== undefined) {
      t = undefined;
      fn();
      return;
    }
    // the first arm always goes through setTimeout: fn never runs synchronously
    t = setTimeout(arm, Math.min(Math.max(0, Math.ceil(left)), MAX_TIMER_MS));
    if (weak) t.unref();
  };
  arm();
  const timer: LongTimer = {
    clear() {
      cleared = true;
      if (t) clearTimeout(t);
      t = undefined;
    },
    unref() {
      weak = true;
      t?.unref();
      return timer;
    },
  };
  return timer;
}

/** A promise that resolves after ms milliseconds (any ms, see longTimeout). */
export function longSleep(ms: number): Promise<void> {
  return new Promise((resolve) => longTimeout(resolve, ms));
}
