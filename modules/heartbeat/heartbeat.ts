/**
 * The heartbeat: the event `heartbeat.pulse` (no payload), published by
 * rank 0 once the module is loaded and then every period (`[heartbeat]
 * period` or the module argument period=FSD, which wins at load; default 2s,
 * as Flux's; a config reload that changes `period` applies it). cron's
 * default sync event (modules/modprobe.toml) is this pulse. On the other
 * ranks it watches the pulses, as Flux's: `warn_thresh` periods without one
 * log a warning, and `timeout` without one drops the link to the parent
 * (overlay.disconnect-parent), so that a broker cut off from rank 0 leaves
 * instead of waiting on it. The timers are unref'd: they never keep a
 * broker's process alive, and they end with the module.
 */
import { einval, fsd, IConfig, IHandle, IModuleArgs, inject, injectable, methods, parseArgs, type BrokerModule, type ConfigApply, type ConfigSchema, type Handle } from '../../kernel/api';
import type { HeartbeatProtocol, HeartbeatStatsGetResponse } from '../../lib/protocol/heartbeat';
import { ownerEvent } from '../../lib/owner-event';

/** handler entries checked against modules/heartbeat/protocol.avsc */
const method = methods<HeartbeatProtocol>();

export const PULSE_TOPIC = 'heartbeat.pulse';

/** Flux's default period (seconds) */
const DEFAULT_PERIOD = 2;
/** the shortest period taken: a pulse is an event to every broker */
const MIN_PERIOD = 0.01;
/** the longest (a day): Node's timers take at most 2^31-1 ms */
const MAX_PERIOD = 86400;

/** The period (seconds) of `period=FSD`, or why it is refused. */
export function parsePeriod(text: string): number {
  const p = fsd.tryParse(text);
  if (p === undefined) throw einval(`period: invalid duration '${text}'`);
  if (p < MIN_PERIOD || p > MAX_PERIOD) throw einval(`period: ${text} is out of range (${MIN_PERIOD}s to 1d)`);
  return p;
}

/** `[heartbeat] period` of a config document (already checked), in seconds */
function configPeriod(config: Readonly<Record<string, unknown>>): number | undefined {
  const v = ((config['heartbeat'] ?? {}) as Record<string, unknown>)['period'];
  return typeof v === 'string' ? parsePeriod(v) : undefined;
}

/** Flux's defaults for a follower's watch: a warning after 3 missed periods, the parent dropped after 5m */
const DEFAULT_WARN_THRESH = 3;
const DEFAULT_TIMEOUT = 300;

/** What a follower watches for: `timeout` (seconds; 0 or Infinity: never) and `warn_thresh` (periods). */
export interface FollowerWatch {
  timeout: number;
  warnThresh: number;
}

/** `[heartbeat] timeout` and `warn_thresh` of a config document (already checked) */
export function followerWatch(config: Readonly<Record<string, unknown>>): FollowerWatch {
  const t = (config['heartbeat'] ?? {}) as Record<string, unknown>;
  const timeout = typeof t['timeout'] === 'string' ? fsd.parse(t['timeout']) : DEFAULT_TIMEOUT;
  const warnThresh = typeof t['warn_thresh'] === 'number' ? t['warn_thresh'] : DEFAULT_WARN_THRESH;
  return { timeout, warnThresh };
}

/** the `[heartbeat]` table (flux-config-heartbeat(5)) */
export const heartbeatConfigSchema: ConfigSchema = {
  heartbeat: {
    kind: 'table',
    keys: {
      period: {
        kind: 'custom',
        what: `a duration (FSD) from ${MIN_PERIOD}s to 1d`,
        check: (v) => {
          if (typeof v !== 'string') return `must be a duration (FSD) such as "5s", got ${JSON.stringify(v)}`;
          try {
            parsePeriod(v);
            return undefined;
          } catch (e) {
            return (e as Error).message.replace(/^period: /, '');
          }
        },
      },
      timeout: {
        kind: 'custom',
        what: 'a duration (FSD); 0 or infinity: never',
        check: (v) => {
          if (typeof v !== 'string') return `must be a duration (FSD) such as "5m", got ${JSON.stringify(v)}`;
          const t = fsd.tryParse(v);
          return t === undefined || t < 0 ? `invalid duration '${v}' (0 or infinity: never)` : undefined;
        },
      },
      warn_thresh: { kind: 'integer', min: 1 },
    },
  },
};

@injectable()
export class Heartbeat implements BrokerModule {
  private period: number = DEFAULT_PERIOD;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;
  /** a follower's watch of the pulses */
  private watch: FollowerWatch;
  private lastPulse = 0;
  /** the time between the last two pulses seen (a rank 0 started with period= may not pulse at the configured one) */
  private seenPeriod = 0;
  private warned = false;
  private watchTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  readonly handlers = [method('stats-get', (): HeartbeatStatsGetResponse => ({ period: this.period, count: this.count }))];

  constructor(
    @inject(IHandle) private readonly h: Handle,
    @inject(IModuleArgs) args: readonly string[],
    @inject(IConfig) config: Readonly<Record<string, unknown>>,
  ) {
    this.period = configPeriod(config) ?? DEFAULT_PERIOD;
    this.watch = followerWatch(config);
    for (const [k, v] of parseArgs(args)) {
      if (k === 'period') this.period = parsePeriod(v);
      else throw einval(`unknown option '${k}' (heartbeat takes period=DURATION)`);
    }
  }

  start(): void {
    if (this.h.rank !== 0) return this.startWatch();
    this.pulse();
    this.arm();
  }

  /** flux config load/reload: a new [heartbeat] period applies from the next pulse on, a new timeout or warn_thresh at once */
  configReload(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): ConfigApply {
    const p = configPeriod(next);
    const w = followerWatch(next);
    if (p === configPeriod(prev) && JSON.stringify(w) === JSON.stringify(followerWatch(prev))) return undefined;
    return () => {
      this.period = p ?? DEFAULT_PERIOD;
      this.watch = w;
      if (this.h.rank === 0) this.arm();
      else this.armWatch();
    };
  }

  /** A follower: every pulse resets the watch. */
  private startWatch(): void {
    this.lastPulse = Date.now();
    // a guest may publish any event: only the owner's pulse (rank 0's) counts
    this.unsubscribe = this.h.subscribe(PULSE_TOPIC, ownerEvent(this.h, () => {
      const now = Date.now();
      if (this.count > 0) this.seenPeriod = (now - this.lastPulse) / 1000;
      this.count++;
      if (this.warned) this.h.log('info', `heartbeat received again after ${fsd.formatC((now - this.lastPulse) / 1000, 2)}`);
      this.warned = false;
      this.lastPulse = now;
    }));
    this.armWatch();
  }

  /** the expected period: the configured one, or the longer one rank 0 was seen to keep */
  private expected(): number {
    return Math.max(this.period, this.seenPeriod);
  }

  private armWatch(): void {
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    // a check a period (at most every 10s, at least every 10 ms)
    const every = Math.min(10, Math.max(0.01, Math.min(this.period, this.watch.timeout > 0 ? this.watch.timeout / 4 : Infinity)));
    this.watchTimer = setInterval(() => this.check(), Math.round(every * 1000));
    this.watchTimer.unref();
  }

  private check(): void {
    const silent = (Date.now() - this.lastPulse) / 1000;
    const { timeout, warnThresh } = this.watch;
    if (!this.warned && silent >= warnThresh * this.expected()) {
      this.warned = true;
      this.h.log('warning', `heartbeat overdue: none for ${fsd.formatC(silent, 2)} (${warnThresh} periods of ${fsd.formatC(this.expected())})`);
    }
    if (timeout > 0 && Number.isFinite(timeout) && silent >= timeout) {
      if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
      this.watchTimer = undefined;
      const why = `no heartbeat for ${fsd.formatC(silent, 2)} (heartbeat.timeout ${fsd.formatC(timeout)})`;
      this.h.log('err', `${why}: disconnecting from the parent`);
      this.h.rpc('overlay.disconnect-parent', { reason: why }, { nodeid: this.h.rank }).catch((e: Error) => this.h.log('err', `overlay.disconnect-parent: ${e.message}`));
    }
  }

  private arm(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = setInterval(() => this.pulse(), Math.round(this.period * 1000));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    this.unsubscribe?.();
  }

  private pulse(): void {
    this.count++;
    this.h.publish(PULSE_TOPIC).catch((e: Error) => this.h.log('err', `error publishing heartbeat: ${e.message}`));
  }
}
