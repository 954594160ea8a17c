/**
 * A follower's connection to its parent, retried while the parent is not there
 * yet, so brokers may start in any order and minutes apart (as Flux's do: ZMQ
 * keeps reconnecting). A transient failure (refused, unreachable, a name that
 * does not resolve yet, a handshake cut short or timed out) is retried with a
 * backoff from 100 ms doubling to at most 2 s, for as long as it takes; the
 * broker says so once at info and every `warnEveryMs` at err. A refusal (an
 * unknown key, a parent with the wrong key, a hello refused for a mismatched
 * config) ends at once: retrying cannot fix it. A deadly signal stops the wait.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as net from 'node:net';
import { LogLevel } from '../kernel/api/handle';
import { LinkError } from './secure-link';
import * as transport from './transport';

export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 2_000;

/** System errors that mean "not there (yet)". */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOENT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

export function isTransient(e: unknown): boolean {
  if (e instanceof LinkError) return e.transient;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

export interface ParentConnectOptions<T> {
  uri: string;
  /** `test0 (rank 0)`, for messages */
  parentName: string;
  /** limit on one TCP/unix connect (tbon.connect_timeout); 0: the system's */
  attemptTimeoutMs: number;
  /** how often to say we are still trying (broker.quorum-warn); undefined: never */
  warnEveryMs?: number;
  log(severity: number, text: string): void;
  /** aborted by a deadly signal: its reason ends the wait */
  signal: AbortSignal;
  /** authenticate and say hello on a fresh connection */
  handshake(sock: net.Socket): Promise<T>;
}

/** 1m, 20s, 1.5s */
function duration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

export async function connectParent<T>(o: ParentConnectOptions<T>): Promise<T> {
  const t0 = Date.now();
  let attempt = 0;
  let nextWarn = o.warnEveryMs !== undefined ? t0 + o.warnEveryMs : Infinity;
  const stopped = () => new Error((o.signal.reason as Error | undefined)?.message ?? 'interrupted');
  for (;;) {
    if (o.signal.aborted) throw stopped();
    let err: unknown;
    try {
      const sock = await transport.connect(o.uri, o.attemptTimeoutMs, o.signal);
      const result = await o.handshake(sock);
      if (attempt > 0) o.log(LogLevel.info, `connected to parent ${o.parentName} after ${attempt + 1} attempts in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return result;
    } catch (e) {
      err = e;
    }
    if (o.signal.aborted) throw stopped();
    const why = (err as Error).message;
    if (!isTransient(err)) throw new Error(`cannot connect to parent ${o.parentName} at ${o.uri}: ${why}`);
    if (attempt === 0) o.log(LogLevel.info, `cannot connect to parent ${o.parentName} at ${o.uri}: ${why}; retrying`);
    const now = Date.now();
    if (now >= nextWarn) {
      let mark = nextWarn;
      while (mark + o.warnEveryMs! <= now) mark += o.warnEveryMs!;
      o.log(LogLevel.err, `connect to parent delayed: ${o.parentName} at ${o.uri}: unreachable for ${duration(mark - t0)} (${why}); still trying`);
      nextWarn = mark + o.warnEveryMs!;
    }
    const base = Math.min(RETRY_MIN_MS * 2 ** attempt, RETRY_MAX_MS);
    attempt++;
    try {
      // up to a quarter more, so that many followers do not knock in step (not
      // Math.random: brokers forked from one zygote share its generator's state)
      await sleep(base + randomInt(Math.floor(base * 0.25) + 1), undefined, { signal: o.signal });
    } catch {
      throw stopped();
    }
  }
}
