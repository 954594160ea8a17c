/**
 * The typed client API: connect to an instance's local socket, send requests,
 * receive responses and events. The `flux` command uses it, and scripts import it
 * from the package (`require('flux-ts')`).
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { Errno, strerror } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { FrameReader, encodeFrame, decodeMessage } from '../../kernel/message/codec';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  NODEID_UPSTREAM,
  request as makeRequest,
  type Message,
} from '../../kernel/message/message';
import { longTimeout, type LongTimer } from '../../lib/long-timer';
import { SshStream, parseSshUri, sshCommand } from './ssh';

export const DEFAULT_URI = 'local:///run/flux/local';

export interface RpcOptions {
  /** target rank (default: any rank that offers the service, nearest first) */
  nodeid?: number;
  /** reject with ETIMEDOUT after this many ms */
  timeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  stream?: (payload: unknown) => void;
  timer?: LongTimer;
}

/** Path of the unix socket named by a local:// URI (FluxError ENOENT otherwise). */
export function socketPathOf(uri: string): string {
  if (!uri.startsWith('local://')) throw new FluxError(Errno.ENOENT, `unsupported URI ${uri}: only local:// and ssh:// are supported`);
  return uri.slice('local://'.length);
}

export class Client {
  private readonly pending = new Map<number, Pending>();
  private nextTag = 1;
  private readonly eventCbs = new Map<string, Set<(m: Message) => void>>();
  private lostHandlers = new Set<(e: FluxError) => void>();
  private closed = false;

  private constructor(
    private readonly sock: Duplex,
    readonly uri: string,
  ) {}

  /**
   * Connect to FLUX_URI (or the given URI): local://PATH, or ssh://HOST/PATH
   * through ssh and `flux relay` (./ssh.ts); rejects with a FluxError naming it.
   */
  static connect(uri: string = process.env['FLUX_URI'] || DEFAULT_URI): Promise<Client> {
    let open: () => Duplex;
    let ssh: SshStream | undefined;
    try {
      if (uri.startsWith('ssh://')) {
        const argv = sshCommand(parseSshUri(uri));
        open = () => (ssh = new SshStream(argv));
      } else {
        const path = socketPathOf(uri);
        open = () => net.createConnection(path);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Client>((resolve, reject) => {
      const sock = open();
      let client: Client | undefined;
      let handshake = false;
      const reader = new FrameReader();
      sock.once('error', (e: NodeJS.ErrnoException) => {
        if (!client || !handshake) {
          const errno = e.code && e.code in Errno ? Errno[e.code as keyof typeof Errno] : Errno.EIO;
          reject(new FluxError(errno, `cannot connect to ${uri}: ${strerror(errno)}`));
        }
      });
      sock.on('data', (chunk: Buffer) => {
        if (!handshake) {
          handshake = true;
          const status = chunk[0]!;
          if (status !== 0) {
            sock.destroy();
            reject(new FluxError(status, `connection to ${uri} refused: ${strerror(status)}`));
            return;
          }
          client = new Client(sock, uri);
          resolve(client);
          chunk = chunk.subarray(1);
          if (chunk.length === 0) return;
        }
        let frames: Buffer[];
        try {
          frames = reader.push(chunk);
        } catch (e) {
          client?.lose(e as FluxError);
          sock.destroy();
          return;
        }
        for (const f of frames) {
          try {
            client!.onMessage(decodeMessage(f));
          } catch (e) {
            client?.lose(e as FluxError);
            sock.destroy();
            return;
          }
        }
      });
      sock.on('close', () => {
        if (!handshake) {
          // ssh (or the relay) gave up: its own words say why
          if (ssh) reject(new FluxError(Errno.EHOSTUNREACH, `${uri}: ${ssh.why()}`));
          else reject(new FluxError(Errno.ECONNRESET, `connection to ${uri} closed by the broker`));
          return;
        }
        client?.lose(new FluxError(Errno.ECONNRESET, `lost connection to the broker at ${uri}`));
      });
    });
  }

  private lose(err: FluxError): void {
    if (this.closed) return;
    this.closed = true;
    for (const [tag, p] of this.pending) {
      this.pending.delete(tag);
      p.timer?.clear();
      p.reject(err);
    }
    for (const h of this.lostHandlers) h(err);
  }

  /** Called once if the connection is lost (not after close()). */
  onLost(cb: (e: FluxError) => void): () => void {
    this.lostHandlers.add(cb);
    return () => this.lostHandlers.delete(cb);
  }

  private onMessage(m: Message): void {
    if (m.type === MsgType.Response) {
      const p = this.pending.get(m.matchtag);
      if (!p) return;
      if (p.stream && m.errnum === 0) {
        p.stream(m.payload);
        return;
      }
      this.pending.delete(m.matchtag);
      p.timer?.clear();
      if (m.errnum === 0) p.resolve(m.payload);
      else if (p.stream && m.errnum === Errno.ENODATA) p.resolve(undefined);
      else p.reject(new FluxError(m.errnum, m.errstr));
    } else if (m.type === MsgType.Event) {
      for (const [prefix, cbs] of this.eventCbs) {
        if (m.topic.startsWith(prefix)) for (const cb of cbs) cb(m);
      }
    }
  }

  private build(topic: string, payload: unknown, opts: RpcOptions | undefined, flags: number): Message {
    let nodeid = opts?.nodeid ?? NODEID_ANY;
    if (nodeid === NODEID_UPSTREAM) {
      nodeid = NODEID_ANY;
      flags |= MsgFlag.Upstream;
    }
    return makeRequest(topic, { nodeid, flags, payload });
  }

  private send(m: Message, p: Pending): void {
    if (this.closed) {
      p.reject(new FluxError(Errno.ECONNRESET, `lost connection to the broker at ${this.uri}`));
      return;
    }
    const tag = this.nextTag++;
    m.matchtag = tag;
    this.pending.set(tag, p);
    this.sock.write(encodeFrame(m));
  }

  /** Send a request; resolve with the response payload or reject with FluxError. */
  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject };
      if (opts?.timeoutMs !== undefined) {
        // a user's --timeout may be longer than one setTimeout can wait
        p.timer = longTimeout(() => {
          for (const [t, q] of this.pending) if (q === p) this.pending.delete(t);
          reject(new FluxError(Errno.ETIMEDOUT, `${topic}: ${strerror(Errno.ETIMEDOUT)}`));
        }, opts.timeoutMs);
      }
      this.send(this.build(topic, payload, opts, 0), p);
    });
  }

  /**
   * Streaming request: onResponse runs for each response; resolves at the end of
   * the stream (ENODATA), rejects on any other error.
   */
  rpcStream(topic: string, payload: unknown, onResponse: (payload: unknown) => void, opts?: RpcOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.send(this.build(topic, payload, opts, MsgFlag.Streaming), {
        resolve: () => resolve(),
        reject,
        stream: onResponse,
      });
    });
  }

  /** Subscribe to events whose topic starts with prefix. */
  async subscribe(prefix: string, cb: (m: Message) => void): Promise<() => Promise<void>> {
    let s = this.eventCbs.get(prefix);
    if (!s) {
      this.eventCbs.set(prefix, (s = new Set()));
      await this.rpc('event.subscribe', { topic: prefix });
    }
    s.add(cb);
    return async () => {
      const set = this.eventCbs.get(prefix);
      set?.delete(cb);
      if (set && set.size === 0) {
        this.eventCbs.delete(prefix);
        if (!this.closed) await this.rpc('event.unsubscribe', { topic: prefix });
      }
    };
  }

  /** Read a broker attribute of the local broker. */
  async getattr(name: string): Promise<string> {
    const r = await this.rpc<{ value: string }>('attr.get', { name });
    return r.value;
  }

  close(): void {
    this.closed = true;
    this.sock.end();
    this.sock.destroy();
  }
}
