/**
 * A hostile (or careless) local client for tests: a bare unix socket speaking
 * the connector's wire format (a 4-byte big-endian length, then an Avro
 * envelope, kernel/message/envelope.avsc) that can send frames the real client
 * API never would — payload bytes written by hand, bodies of any size, frames
 * cut short — and can stop reading its replies. Also the broker's memory as
 * /proc shows it, and a poll-with-deadline for conditions.
 */
import * as avro from 'avsc';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ROOT, type Instance } from './flux';
import { FrameReader, decodeMessage } from '../../kernel/message/codec';
import type { Message } from '../../kernel/message/message';

const envelope = avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(ROOT, 'kernel', 'message', 'envelope.avsc'), 'utf8')));

export const NODEID_ANY = 0xffffffff;

/** An encoded request envelope whose payload is exactly `payload` (bytes of JSON text, unchecked). */
export function requestBody(topic: string, payload: string | Buffer | null, opts: { nodeid?: number; matchtag?: number } = {}): Buffer {
  return envelope.toBuffer({
    version: 1,
    type: 1,
    flags: 0,
    topic,
    nodeid: opts.nodeid ?? NODEID_ANY,
    matchtag: opts.matchtag ?? 1,
    route: [],
    userid: 0,
    rolemask: 0,
    errnum: 0,
    errstr: null,
    payload: payload === null ? null : Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  });
}

/** A request envelope of exactly `size` bytes: `{"s":"xxx..."}` padded to fit. */
export function requestBodyOfSize(topic: string, size: number, opts: { nodeid?: number; matchtag?: number } = {}): Buffer {
  let n = size - 64;
  for (let i = 0; i < 8; i++) {
    const b = requestBody(topic, `{"s":"${'x'.repeat(n)}"}`, opts);
    if (b.length === size) return b;
    n += size - b.length;
  }
  throw new Error(`cannot build a ${size}-byte envelope`);
}

/** Prefix a body with its 4-byte length. */
export function frame(body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length, 0);
  return Buffer.concat([h, body]);
}

/** JSON text of `[[[...]]]` nested `depth` deep. */
export function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

export class RawClient {
  readonly replies: Message[] = [];
  /** bytes received (replies not decoded when not reading) */
  received = 0;
  closed = false;
  /** Date.now() when the connection closed */
  closedAt = 0;
  private readonly reader = new FrameReader();
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly sock: net.Socket) {
    sock.on('error', () => {
      /* EPIPE / ECONNRESET when the broker drops us: the test looks at `closed` */
    });
    sock.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this.wake();
    });
  }

  /** Connect to an instance's local socket and take the one-byte greeting. */
  static connect(inst: Instance | string): Promise<RawClient> {
    const sockPath = (typeof inst === 'string' ? inst : inst.uri).replace(/^local:\/\//, '');
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(sockPath);
      sock.once('error', reject);
      sock.once('data', (d: Buffer) => {
        sock.off('error', reject);
        const c = new RawClient(sock);
        if (d[0] !== 0) return reject(new Error(`greeting byte ${d[0]}`));
        if (d.length > 1) c.onData(d.subarray(1));
        sock.on('data', (chunk: Buffer) => c.onData(chunk));
        resolve(c);
      });
    });
  }

  private discard = false;

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.discard) return;
    for (const f of this.reader.push(chunk)) this.replies.push(decodeMessage(f));
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Stop reading: replies pile up in the broker (a slow consumer). */
  stopReading(): void {
    this.sock.pause();
  }

  /**
   * Wait for the broker to have closed the connection. N.B. a client that
   * stopped reading only sees the end after the data before it, so this reads
   * (and discards) what is left.
   */
  async closedByBroker(ms = 30_000): Promise<void> {
    this.discard = true;
    this.sock.resume();
    await this.until(() => this.closed, 'the broker to close the connection', ms);
  }

  send(body: Buffer): void {
    this.sock.write(frame(body));
  }

  /**
   * Write the same frame up to `count` times, waiting whenever the socket is
   * full, until the broker closes the connection; resolves with the number
   * written. (One buffer, written again and again: the test holds no copies.)
   */
  async flood(framed: Buffer, count: number): Promise<number> {
    let n = 0;
    while (n < count && !this.closed) {
      n++;
      if (!this.sock.write(framed)) {
        await new Promise<void>((r) => {
          const done = () => {
            this.sock.off('drain', done);
            this.sock.off('close', done);
            r();
          };
          this.sock.on('drain', done);
          this.sock.on('close', done);
        });
      }
    }
    return n;
  }

  /** Write raw bytes (a frame cut short, a bare header). */
  write(bytes: Buffer): boolean {
    return this.sock.write(bytes);
  }

  /** Resolves once `cond()` holds, or rejects after `ms` naming `what`. */
  async until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The reply with this matchtag (waits for it). */
  async reply(matchtag: number, ms = 30_000): Promise<Message> {
    await this.until(() => this.closed || this.replies.some((m) => m.matchtag === matchtag), `the reply to matchtag ${matchtag}`, ms);
    const m = this.replies.find((r) => r.matchtag === matchtag);
    if (!m) throw new Error(`connection closed before the reply to matchtag ${matchtag}`);
    return m;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** VmRSS and VmHWM (bytes) of a process. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(s)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Poll `cond` every 100 ms until it holds or `ms` pass (then throw naming `what`). */
export async function pollUntil(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const MiB = 1024 * 1024;
export const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
