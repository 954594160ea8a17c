/**
 * The heartbeat: the event `heartbeat.pulse` (no payload), published by
 * rank 0 once the module is loaded and then every period (module argument
 * period=FSD, default 2s, as Flux's). cron's default sync event
 * (modules/modprobe.toml) is this pulse. The timer is unref'd: a pulse never
 * keeps a broker's process alive, and it ends with the module.
 */
import { einval, fsd, IHandle, IModuleArgs, inject, injectable, methods, parseArgs, type BrokerModule, type Handle } from '../../kernel/api';
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

@injectable()
export class Heartbeat implements BrokerModule {
  private readonly period: number = DEFAULT_PERIOD;
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  readonly handlers = [method('stats-get', (): HeartbeatStatsGetResponse => ({ period: this.period, count: this.count }))];

  constructor(
    @inject(IHandle) private readonly h: Handle,
    @inject(IModuleArgs) args: readonly string[],
  ) {
    for (const [k, v] of parseArgs(args)) {
      if (k === 'period') this.period = parsePeriod(v);
      else throw einval(`unknown option '${k}' (heartbeat takes period=DURATION)`);
    }
  }

  start(): void {
    this.pulse();
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
