/**
 * The heartbeat: the event `heartbeat.pulse` (no payload), published by
 * rank 0 once the module is loaded and then every period (`[heartbeat]
 * period` or the module argument period=FSD, which wins at load; default 2s,
 * as Flux's; a config reload that changes `period` applies it). cron's
 * default sync event (modules/modprobe.toml) is this pulse. The timer is
 * unref'd: a pulse never keeps a broker's process alive, and it ends with
 * the module.
 */
import { einval, fsd, IConfig, IHandle, IModuleArgs, inject, injectable, methods, parseArgs, type BrokerModule, type ConfigApply, type ConfigSchema, type Handle } from '../../kernel/api';
import type { HeartbeatProtocol, HeartbeatStatsGetResponse } from '../../lib/protocol/heartbeat';

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
    },
  },
};

@injectable()
export class Heartbeat implements BrokerModule {
  private period: number = DEFAULT_PERIOD;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  readonly handlers = [method('stats-get', (): HeartbeatStatsGetResponse => ({ period: this.period, count: this.count }))];

  constructor(
    @inject(IHandle) private readonly h: Handle,
    @inject(IModuleArgs) args: readonly string[],
    @inject(IConfig) config: Readonly<Record<string, unknown>>,
  ) {
    this.period = configPeriod(config) ?? DEFAULT_PERIOD;
    for (const [k, v] of parseArgs(args)) {
      if (k === 'period') this.period = parsePeriod(v);
      else throw einval(`unknown option '${k}' (heartbeat takes period=DURATION)`);
    }
  }

  start(): void {
    this.pulse();
    this.arm();
  }

  /** flux config load/reload: a new [heartbeat] period applies from the next pulse on */
  configReload(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): ConfigApply {
    const p = configPeriod(next);
    if (p === configPeriod(prev)) return undefined;
    return () => {
      this.period = p ?? DEFAULT_PERIOD;
      this.arm();
    };
  }

  private arm(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = setInterval(() => this.pulse(), Math.round(this.period * 1000));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private pulse(): void {
    this.count++;
    this.h.publish(PULSE_TOPIC).catch((e: Error) => this.h.log('err', `error publishing heartbeat: ${e.message}`));
  }
}
