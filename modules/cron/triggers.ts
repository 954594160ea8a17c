/**
 * What makes a cron entry run, one kind each (Flux's cron entry types):
 * `interval` (a timer: first after `after` seconds, then every `interval`;
 * an interval of 0 runs once), `event` (every nth matching event, from the
 * after-th on, no closer than min_interval apart) and `datetime` (the next
 * second matching a crontab-like spec, lib/cron/datespec). A trigger calls
 * fire() when the entry should run; start/stop arm and disarm it; destroy
 * releases its timers and subscriptions. Timers are unref'd: they never keep
 * a broker alive.
 */
import { longTimeout, type Handle, type LongTimer } from '../../kernel/api';
import { encodeSpec, nextWakeup, type DateSpec } from '../../lib/cron/datespec';

const now = () => Date.now() / 1000;

export interface Trigger {
  start(): void;
  stop(): void;
  destroy(): void;
  /** typedata of `flux cron dump` */
  toJson(): Record<string, string | number>;
}

export class IntervalTrigger implements Trigger {
  private timer: LongTimer | undefined;
  private next = 0;

  constructor(
    private readonly seconds: number,
    private readonly after: number,
    private readonly fire: () => void,
  ) {}

  private arm(delay: number): void {
    this.next = now() + delay;
    this.timer = longTimeout(() => {
      this.timer = undefined;
      // an interval of 0 is a one-shot timer (libev's repeat 0)
      if (this.seconds > 0) this.arm(this.seconds);
      this.fire();
    }, delay * 1000).unref();
  }

  start(): void {
    this.stop();
    this.arm(this.after);
  }

  stop(): void {
    this.timer?.clear();
    this.timer = undefined;
  }

  destroy(): void {
    this.stop();
  }

  toJson(): Record<string, number> {
    return { interval: this.seconds, after: this.after, next_wakeup: this.next };
  }
}

/** Flux's topic glob (fnmatch): `*` and `?`, the rest literal. */
function globRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export class EventTrigger implements Trigger {
  private counter = 0;
  private paused: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly match: RegExp;

  constructor(
    private readonly h: Handle,
    private readonly topic: string,
    private readonly nth: number,
    private readonly after: number,
    private readonly minInterval: number,
    /** when the entry's command last ran (epoch seconds) */
    private readonly lastrun: () => number,
    private readonly fire: () => void,
    private readonly id: number,
  ) {
    this.match = globRegex(topic);
  }

  private onEvent(topic: string): void {
    if (!this.match.test(topic)) return;
    this.counter++;
    if (this.paused) return;
    if (this.counter < this.after) return;
    if (this.nth && (this.counter - this.after) % this.nth) return;
    if (this.minInterval > 0) {
      const remaining = this.minInterval - (now() - this.lastrun());
      if (remaining > 1e-5) {
        // keep counting events, run nothing until the interval has passed
        this.paused = setTimeout(() => {
          this.paused = undefined;
          this.fire();
        }, remaining * 1000);
        this.paused.unref();
        this.h.log('debug', `cron-${this.id}: delaying ${remaining.toFixed(3)}s due to min interval`);
        return;
      }
    }
    this.fire();
  }

  start(): void {
    this.counter = 0;
    if (this.unsubscribe) return;
    const prefix = this.topic.split(/[*?]/)[0]!;
    this.unsubscribe = this.h.subscribe(prefix, (msg) => this.onEvent(msg.topic));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  destroy(): void {
    this.stop();
    if (this.paused) clearTimeout(this.paused);
    this.paused = undefined;
  }

  toJson(): Record<string, string | number> {
    return { topic: this.topic, nth: this.nth, after: this.after, counter: this.counter, min_interval: this.minInterval };
  }
}

export class DateTrigger implements Trigger {
  private timer: LongTimer | undefined;
  private next = 0;

  constructor(
    private readonly spec: DateSpec,
    private readonly fire: () => void,
    /** no date matches any more: the entry stops */
    private readonly exhausted: () => void,
  ) {}

  /** Arm for the first matching second after `from` (never the same second twice). */
  private arm(from: number): void {
    const next = nextWakeup(this.spec, Math.max(from, this.next));
    if (next === undefined) {
      this.next = 0;
      this.exhausted();
      return;
    }
    this.next = next;
    this.timer = longTimeout(() => {
      this.timer = undefined;
      this.fire();
      // fire() may have stopped the entry (its repeat count reached)
      if (this.armed) this.arm(now());
    }, (next - now()) * 1000).unref();
  }

  private armed = false;

  start(): void {
    this.stop();
    this.armed = true;
    this.arm(now());
  }

  stop(): void {
    this.armed = false;
    this.timer?.clear();
    this.timer = undefined;
  }

  destroy(): void {
    this.stop();
  }

  toJson(): Record<string, string | number> {
    return { next_wakeup: this.next, ...encodeSpec(this.spec) };
  }
}
