/**
 * What flux proxy does when its connection to the instance is lost while
 * COMMAND runs (flux-proxy(1)): one line on stderr, then SIGHUP and SIGCONT
 * to COMMAND (not with --nohup), or, with --reconnect, a new connection tried
 * every 2 seconds until one succeeds (COMMAND is not signalled). Either way
 * the proxy waits for COMMAND to end.
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from '../api/client';
import type { FluxError } from '../../lib/errors';

export interface WatchOpts {
  nohup: boolean;
  reconnect: boolean;
  /** one line on stderr, prefixed with the program name */
  say(msg: string): void;
}

export const RECONNECT_MS = 2000;

/** Watch `h` (to `uri`) while `child` runs; returns a function that stops watching and closes the connection. */
export function watchConnection(h: Client, uri: string, child: ChildProcess, opts: WatchOpts): () => void {
  let current: Client | undefined = h;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (c: Client): void => {
    current = c;
    c.onLost((e: FluxError) => lost(e));
  };
  const retry = (): void => {
    timer = setTimeout(() => {
      Client.connect(uri).then(
        (c) => {
          if (stopped) return c.close();
          opts.say(`reconnected to ${uri}`);
          arm(c);
        },
        () => {
          if (!stopped) retry();
        },
      );
    }, RECONNECT_MS);
  };
  const lost = (e: FluxError): void => {
    current = undefined;
    if (stopped) return;
    if (opts.reconnect) {
      opts.say(`${e.message}: reconnecting every ${RECONNECT_MS / 1000}s`);
      retry();
      return;
    }
    opts.say(e.message);
    if (opts.nohup || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGHUP');
    child.kill('SIGCONT');
  };
  arm(h);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    current?.close();
  };
}
