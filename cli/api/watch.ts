/**
 * A `kvs.watch` stream as an async iterator: leaving the loop early cancels the
 * stream (the tracker tells kvs, which frees the watch); the loop ends where the
 * stream ends (ENODATA: the eventlog was closed) and throws the stream's error
 * (a FluxError) otherwise.
 */
import type { Client, StreamCall } from './client';
import { Channel } from './channel';

/** One RFC 18 eventlog entry. */
export interface EventLogEntry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

export interface WatchKvsOptions<T> {
  /** run first (e.g. check the job exists); its rejection is the loop's error */
  before?: () => Promise<unknown>;
  /** wait for the key to be created (default false: ENOENT if absent) */
  waitcreate?: boolean;
  /** a plain value: every later put of it too */
  values?: boolean;
  /** resolves true when the watch should end (e.g. the log will never be written) */
  giveUpWhen?: () => Promise<boolean>;
  /** the items of one response */
  unpack: (payload: unknown) => T[];
}

export function watchKvs<T>(h: Client, key: string, o: WatchKvsOptions<T>): Channel<T> {
  let stream: StreamCall | undefined;
  const cancel = async (): Promise<void> => {
    await stream?.cancel();
  };
  const ch = new Channel<T>(cancel);
  void (async () => {
    try {
      if (o.before) await o.before();
      if (ch.closed) return;
      const payload: Record<string, unknown> = { key, waitcreate: o.waitcreate === true };
      if (o.values) payload['values'] = true;
      stream = h.rpcStream('kvs.watch', payload, (p) => void ch.push(...o.unpack(p)));
      o.giveUpWhen?.().then(
        (give) => (give ? cancel() : undefined),
        () => undefined,
      );
      await stream;
      ch.end();
    } catch (e) {
      ch.fail(e as Error);
    }
  })();
  return ch;
}
