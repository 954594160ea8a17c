/**
 * The typed client API: connect to an instance's local socket, send requests,
 * receive responses and events. The `flux` command uses it, and scripts import it
 * from the package (`require('flux-ts')`). It is a thin transport over the one
 * RPC tracker (lib/rpc, ADR 0011) that modules' handles use too: the same
 * matchtags, timeouts, stream ends and stream cancels.
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { Errno, strerror } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { FrameReader, encodeFrame, decodeMessage, MAX_FRAME } from '../../kernel/message/codec';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  NODEID_UPSTREAM,
  request as makeRequest,
  type Message,
} from '../../kernel/message/message';
import { EventSubscriptions, RpcTracker, type CallOptions, type OutgoingRequest, type StreamCall } from '../../lib/rpc';
import { SshStream, parseSshUri, sshCommand } from './ssh';

export const DEFAULT_URI = 'local:///run/flux/local';

/**
 * nodeid: target rank (default: any rank that offers the service, nearest
 * first); timeoutMs: reject with ETIMEDOUT after this many ms without an answer
 * (a stream: without its first response).
 */
export type RpcOptions = CallOptions;
export type { StreamCall } from '../../lib/rpc';

const FLAGS = { rpc: 0, stream: MsgFlag.Streaming, oneway: MsgFlag.NoResponse } as const;

/** Path of the unix socket named by a local:// URI (FluxError ENOENT otherwise). */
export function socketPathOf(uri: string): string {
  if (!uri.startsWith('local://')) throw new FluxError(Errno.ENOENT, `unsupported URI ${uri}: only local:// and ssh:// are supported`);
  if (uri === 'local://') throw new FluxError(Errno.EINVAL, `malformed URI ${uri}: no socket path (local://PATH)`);
  return uri.slice('local://'.length);
}

export class Client {
  private readonly tracker = new RpcTracker((r) => this.transmit(r));
  /** writes are held until the end of this tick (corkForTurn) */
  private corked = false;
  private readonly events = new EventSubscriptions<Message>();
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
    this.tracker.failAll(err);
    for (const h of this.lostHandlers) h(err);
  }

  /** Called once if the connection is lost (not after close()). */
  onLost(cb: (e: FluxError) => void): () => void {
    this.lostHandlers.add(cb);
    return () => this.lostHandlers.delete(cb);
  }

  private onMessage(m: Message): void {
    if (m.type === MsgType.Response) this.tracker.receive(m);
    else if (m.type === MsgType.Event) this.events.dispatch(m);
  }

  /** The tracker's request as a frame on the socket. */
  private transmit(r: OutgoingRequest): void {
    if (this.closed) throw new FluxError(Errno.ECONNRESET, `lost connection to the broker at ${this.uri}`);
    let nodeid = r.nodeid ?? NODEID_ANY;
    let flags: number = FLAGS[r.kind];
    if (nodeid === NODEID_UPSTREAM) {
      nodeid = NODEID_ANY;
      flags |= MsgFlag.Upstream;
    }
    const frame = encodeFrame(makeRequest(r.topic, { nodeid, flags, payload: r.payload, matchtag: r.matchtag }));
    // the broker drops a client whose frame is over the limit: refuse it here, the connection kept
    if (frame.length - 4 > MAX_FRAME) throw new FluxError(Errno.EMSGSIZE, `${r.topic}: request of ${frame.length - 4} bytes is larger than a message may carry (${MAX_FRAME} bytes)`);
    this.corkForTurn();
    this.sock.write(frame);
  }

  /**
   * The requests of one run of callbacks and promise reactions leave in one
   * write (a bulk submission: one system call for a slice of jobs, not one a job).
   */
  private corkForTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.sock.cork();
    process.nextTick(() => {
      this.corked = false;
      this.sock.uncork();
    });
  }

  /** Send a request; resolve with the response payload or reject with FluxError. */
  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T> {
    return this.tracker.rpc<T>(topic, payload, opts);
  }

  /**
   * Streaming request: onResponse runs for each response. Awaiting the result
   * (or its `done`) resolves at the end of the stream (ENODATA) and rejects on
   * any other error; its cancel() stops the stream and tells the server.
   */
  rpcStream(topic: string, payload: unknown, onResponse: (payload: unknown) => void, opts?: RpcOptions): StreamCall {
    return this.tracker.stream(topic, payload, onResponse, opts);
  }

  /** Send a request that gets no response. */
  send(topic: string, payload?: unknown, opts?: RpcOptions): void {
    this.tracker.send(topic, payload, opts);
  }

  /** calls waiting for responses (streams included) */
  get outstanding(): number {
    return this.tracker.outstanding;
  }

  /** Subscribe to events whose topic starts with prefix. */
  async subscribe(prefix: string, cb: (m: Message) => void): Promise<() => Promise<void>> {
    if (this.events.add(prefix, cb)) {
      try {
        await this.rpc('event.subscribe', { topic: prefix });
      } catch (e) {
        this.events.remove(prefix, cb);
        throw e;
      }
    }
    return async () => {
      if (this.events.remove(prefix, cb) && !this.closed) await this.rpc('event.unsubscribe', { topic: prefix });
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
