/**
 * The shell option `signal` (flux-submit(1) --signal=[SIG][@TIME]):
 * {signum, timeleft}: SIG (default SIGUSR1) goes to every task TIME seconds
 * (default 60) before the job's time limit expires, once. A job without a
 * time limit gets nothing, and the shell says so.
 */
import * as os from 'node:os';

export interface SignalPlan {
  signum: number;
  timeleft: number;
}

/** The option as a plan; undefined when it is not given; throws on a malformed one. */
export function signalOption(opt: unknown): SignalPlan | undefined {
  if (opt === undefined || opt === 0 || opt === false) return undefined;
  if (opt === 1 || opt === true) return { signum: os.constants.signals.SIGUSR1, timeleft: 60 };
  const o = opt as { signum?: unknown; timeleft?: unknown } | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('signal: the option must be {signum, timeleft}');
  const signum = o.signum ?? os.constants.signals.SIGUSR1;
  const timeleft = o.timeleft ?? 60;
  if (typeof signum !== 'number' || !Number.isInteger(signum) || signum < 1 || signum > 64) throw new Error(`signal: invalid signum ${JSON.stringify(signum)}`);
  if (typeof timeleft !== 'number' || !(timeleft >= 0) || !Number.isFinite(timeleft)) throw new Error(`signal: invalid timeleft ${JSON.stringify(timeleft)}`);
  return { signum, timeleft };
}

/** SIGUSR1 for 10 (the name Flux prints), `signal 99` for a number with no name */
export function signalName(signum: number): string {
  const name = Object.entries(os.constants.signals).find(([, v]) => v === signum)?.[0];
  return name ?? `signal ${signum}`;
}
