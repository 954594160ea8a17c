/**
 * The overlay port faces the network: anyone who can reach it can connect.
 * Until a connection has proved it holds an allowed key it is a stranger, and
 * strangers are bounded: at most MAX_STRANGERS wait to authenticate at once
 * (a newcomer beyond that closes the oldest, so idle connections cannot lock a
 * real peer out for long), each has the handshake's time limit
 * (secure-link.ts, 10 s) to finish, and every failure closes its socket. Failures are logged naming the peer's
 * address, at most LOG_BURST lines per LOG_WINDOW_MS; the rest are counted and
 * summed up in one line when the window ends.
 */
import type * as net from 'node:net';
import { LogLevel } from '../kernel/api/handle';

/** connections waiting to authenticate, per listening broker */
export const MAX_STRANGERS = 64;
export const LOG_BURST = 5;
export const LOG_WINDOW_MS = 10_000;

export interface AcceptGuardOptions {
  maxStrangers?: number;
  logBurst?: number;
  logWindowMs?: number;
}

/** `ADDR:PORT` of a TCP peer (`[v6]:PORT`), `local socket` for a unix one. */
export function peerAddress(sock: net.Socket): string {
  const addr = sock.remoteAddress;
  if (addr === undefined) return 'local socket';
  const plain = addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice('::ffff:'.length) : addr;
  const host = plain.includes(':') ? `[${plain}]` : plain;
  return sock.remotePort === undefined ? host : `${host}:${sock.remotePort}`;
}

/** At most `burst` lines per window; the rest counted and reported once the window ends. */
class RateLimitedLog {
  private windowStart = 0;
  private lines = 0;
  private suppressed = 0;
  private lastAddr = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (severity: number, text: string) => void,
    private readonly burst: number,
    private readonly windowMs: number,
  ) {}

  note(addr: string, text: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.lines = 0;
    }
    if (this.lines < this.burst) {
      this.lines++;
      this.log(LogLevel.err, text);
      return;
    }
    this.suppressed++;
    this.lastAddr = addr;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.windowStart + this.windowMs - now);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const what = this.suppressed === 1 ? 'connection' : 'connections';
    this.log(LogLevel.err, `${this.suppressed} more failed ${what} in the last ${this.windowMs / 1000}s not logged (the last from ${this.lastAddr})`);
    this.suppressed = 0;
  }

  close(): void {
    this.flush();
  }
}

export class AcceptGuard {
  /** waiting connections, oldest first (a Set keeps insertion order) */
  private readonly strangers = new Set<net.Socket>();
  private readonly evicted = new WeakSet<net.Socket>();
  private readonly max: number;
  private readonly logger: RateLimitedLog;

  constructor(log: (severity: number, text: string) => void, opts: AcceptGuardOptions = {}) {
    this.max = opts.maxStrangers ?? MAX_STRANGERS;
    this.logger = new RateLimitedLog(log, opts.logBurst ?? LOG_BURST, opts.logWindowMs ?? LOG_WINDOW_MS);
  }

  /** connections now waiting to authenticate */
  get waiting(): number {
    return this.strangers.size;
  }

  /**
   * Run `handshake` on a new connection within the bounds. Resolves with its
   * result, or undefined when it failed: the socket is then closed and the
   * failure logged (rate-limited) with the peer's address.
   */
  async admit<T>(sock: net.Socket, handshake: (sock: net.Socket) => Promise<T>): Promise<T | undefined> {
    const addr = peerAddress(sock);
    // The handshake reports errors; a late one (a reset after we gave up) must not go unhandled.
    sock.on('error', () => {});
    if (this.strangers.size >= this.max) {
      const oldest = this.strangers.values().next().value as net.Socket;
      this.strangers.delete(oldest);
      this.evicted.add(oldest);
      oldest.destroy();
      this.logger.note(peerAddress(oldest), `connection from ${peerAddress(oldest)} closed: ${this.max} connections were waiting to authenticate`);
    }
    this.strangers.add(sock);
    try {
      return await handshake(sock);
    } catch (e) {
      // a refusal ends the socket itself (so the peer reads why); anything else is cut here
      if (!sock.writableEnded) sock.destroy();
      if (!this.evicted.has(sock)) this.logger.note(addr, `connection from ${addr} closed: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.strangers.delete(sock);
    }
  }

  /** Close every waiting connection and report what the log held back. */
  close(): void {
    for (const s of this.strangers) {
      this.evicted.add(s);
      s.destroy();
    }
    this.strangers.clear();
    this.logger.close();
  }
}
