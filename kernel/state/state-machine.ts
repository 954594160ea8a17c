/**
 * The broker life cycle (broker.md §2): named states, the event that moved us
 * from one to the next, and how long we spent there. Each transition is logged
 * at info as Flux does: `quorum-full: quorum->run 0.102056s`.
 */
import { monoMs } from '../../lib/clock';
export type BrokerState =
  | 'load-builtins'
  | 'join'
  | 'config-sync'
  | 'init'
  | 'quorum'
  | 'run'
  | 'cleanup'
  | 'shutdown'
  | 'finalize'
  | 'goodbye'
  | 'unload-builtins'
  | 'exit';

export const STATE_NUMBER: Record<BrokerState, number> = {
  'load-builtins': 0,
  join: 1,
  'config-sync': 2,
  init: 3,
  quorum: 4,
  run: 5,
  cleanup: 6,
  shutdown: 7,
  finalize: 8,
  goodbye: 9,
  'unload-builtins': 10,
  exit: 11,
};

/** FSD-ish duration text used in transition log lines (ms below 1 s). */
function elapsedText(sec: number): string {
  if (sec < 1) return `${(sec * 1000).toPrecision(6).replace(/\.?0+$/, '')}ms`;
  return `${sec.toPrecision(6).replace(/\.?0+$/, '')}s`;
}

export class StateMachine {
  private cur: BrokerState = 'load-builtins';
  private since = monoMs();
  private readonly waiters = new Set<(s: BrokerState) => void>();

  constructor(private readonly log: (text: string) => void) {}

  get state(): BrokerState {
    return this.cur;
  }

  /** seconds spent in the current state */
  get duration(): number {
    return (monoMs() - this.since) / 1000;
  }

  post(event: string, to: BrokerState): void {
    const from = this.cur;
    const dur = this.duration;
    this.cur = to;
    this.since = monoMs();
    this.log(`${event}: ${from}->${to} ${elapsedText(dur)}`);
    for (const w of [...this.waiters]) w(to);
  }

  /** Call cb on every transition until it returns true. */
  watch(cb: (s: BrokerState) => boolean): void {
    if (cb(this.cur)) return;
    const w = (s: BrokerState) => {
      if (cb(s)) this.waiters.delete(w);
    };
    this.waiters.add(w);
  }
}
