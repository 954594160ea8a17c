/**
 * A broker started by `flux start --test-size` notices the death of its front
 * end, even by SIGKILL, and shuts down as if sent SIGTERM (jobs killed, the
 * instance's rundir removed) instead of running on for ever under PID 1.
 *
 * The front end gives each broker one end of a socket pair as descriptor
 * FLUX_TS_START_FD and never writes to it; only the front end holds the other
 * end (Node opens its own descriptors close-on-exec), so the broker reads end
 * of file exactly when the front end is gone, however it went. A death signal
 * (PR_SET_PDEATHSIG) would have to be set in the child between fork and exec,
 * which Node's spawn does not allow, and set later it races the parent's death.
 *
 * Brokers under Slurm, hydra or a static configuration have no such variable:
 * their launchers decide their fate (Flux's test-mode brokers, by contrast,
 * are left running when flux-start is SIGKILLed; this does better).
 */
import * as net from 'node:net';
import { nativeAddon } from './native';

export const START_FD_ENV = 'FLUX_TS_START_FD';
/** the instance's rundir, set where the front end would have removed it */
export const START_RUNDIR_ENV = 'FLUX_TS_START_RUNDIR';

/**
 * Watch the front end's descriptor named in `env` (and take the variables out
 * of `env`, so that jobs do not see them): `onGone` runs once at its end of file,
 * given the instance's rundir that the front end would have removed, for the
 * broker to remove with its own (with `adoptRundir`: rank 0).
 */
export function watchFrontEnd(env: NodeJS.ProcessEnv, onGone: (rundir: string | undefined) => void, adoptRundir: boolean): void {
  const text = env[START_FD_ENV];
  const rundir = env[START_RUNDIR_ENV];
  delete env[START_FD_ENV];
  delete env[START_RUNDIR_ENV];
  if (text === undefined || !/^\d+$/.test(text)) return;
  let fd = Number(text);
  // close-on-exec, far from the numbers jobs use, where the addon is built
  try {
    fd = nativeAddon<{ relocate(fd: number): number }>()?.relocate?.(fd) ?? fd;
  } catch {
    /* keep it where it is */
  }
  let sock: net.Socket;
  try {
    sock = new net.Socket({ fd, readable: true, writable: false });
  } catch {
    return;
  }
  let gone = false;
  const fire = () => {
    if (gone) return;
    gone = true;
    onGone(adoptRundir ? rundir : undefined);
  };
  sock.on('data', () => undefined);
  sock.on('end', fire);
  sock.on('error', fire);
  sock.unref();
}
