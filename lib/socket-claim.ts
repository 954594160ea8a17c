/**
 * A unix socket path is an address, like a TCP port: binding one that a running
 * instance serves must fail ("in use"), not take it away from that instance.
 * The kernel cannot refuse that for us (bind(2) fails with EADDRINUSE on any
 * existing path, live or stale), so whoever is about to listen asks first: a
 * socket that accepts a connection belongs to a running instance and is left
 * alone; only a stale one (connect fails with ECONNREFUSED: nobody listens) may
 * be removed. Anything else at the path (a file, a link) is not ours to remove.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Errno } from './errno';
import { FluxError } from './errors';

/** What is at a socket path: nothing, a socket nobody listens on, or a running instance. */
export type SocketState = 'none' | 'stale' | 'live';

/** The one line that refuses a socket path a running instance serves. */
export function inUseText(sockPath: string): string {
  return `local://${sockPath}: in use by a running instance (flux_open it, or choose another rundir)`;
}

/**
 * Find out, without blocking, what is at `sockPath`. Throws FluxError with one
 * line naming it when something other than a socket is there, or a connect
 * fails in a way that tells nothing (the path is then left alone).
 */
export async function socketState(sockPath: string): Promise<SocketState> {
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(sockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new FluxError(Errno.EACCES, `local://${sockPath}: ${(e as Error).message}`);
  }
  if (!st.isSocket()) throw new FluxError(Errno.EEXIST, `local://${sockPath}: exists and is not a socket`);
  return new Promise<SocketState>((resolve, reject) => {
    const sock = net.connect(sockPath);
    sock.once('connect', () => {
      sock.destroy();
      resolve('live');
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      sock.destroy();
      if (e.code === 'ECONNREFUSED') resolve('stale');
      else if (e.code === 'ENOENT') resolve('none');
      // a full listen backlog: someone is listening, just busy
      else if (e.code === 'EAGAIN') resolve('live');
      else reject(new FluxError(Errno.EACCES, `local://${sockPath}: cannot tell whether it is in use: ${e.message}`));
    });
  });
}

/** Throw the one-line refusal when a running instance serves `sockPath`. */
export async function refuseLiveSocket(sockPath: string): Promise<SocketState> {
  const state = await socketState(sockPath);
  if (state === 'live') throw new FluxError(Errno.EADDRINUSE, inUseText(sockPath));
  return state;
}

/**
 * Make `sockPath` free to bind: refuse a live socket (EADDRINUSE), remove a
 * stale one, and leave anything else alone (refused with one line).
 */
export async function claimSocketPath(sockPath: string): Promise<void> {
  if ((await refuseLiveSocket(sockPath)) !== 'stale') return;
  await fs.promises.rm(sockPath, { force: true });
}
