/**
 * The local connector: a unix socket at the local-uri path. Who gets in, and
 * with which role, is decided from the uid the kernel reports for the client
 * (SO_PEERCRED) and the [access] table (./access.ts); without guests the
 * socket and its directory are the owner's alone as well (ADR 0003). Each
 * client is an endpoint: its requests get its uuid pushed on the route stack
 * and its credentials stamped (never trusted from the client).
 *
 * What a client may cost the broker is bounded where its bytes enter
 * (docs/man7/flux-broker-attributes.md, LIMITS): a frame over the maximum or an
 * envelope that does not decode drops the client; a payload nested too deep is
 * answered EPROTO; a client that lets more than `clientOutbuf` bytes of replies
 * pile up unread is disconnected as a slow consumer; and large frames draw on a
 * budget shared by all clients (./budget.ts), so that many clients sending at
 * once make the broker read more slowly, not grow without bound. Each such
 * event is logged once per client, naming it (and its pid when known).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { randomUUID } from '../../lib/uuid';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { LogLevel } from '../api/handle';
import { FrameReader, PayloadError, decodeMessage, encodeFrameParts, partsLength } from '../message/codec';
import { CLIENT_PAYLOAD_DEPTH, MAX_FRAME, SMALL_FRAME } from '../message/limits';
import { MsgFlag, MsgType, Role, responseTo, errorResponseTo, type Message } from '../message/message';
import type { Endpoint, Router } from '../router/router';
import { InflightBudget, type BudgetWaiter } from './budget';
import { peerCred } from '../../lib/native';
import { credentialsFor, mayReceiveEvent, type AccessPolicy, type Credentials } from './access';
import { Reclaimer } from './reclaim';
import { claimSocketPath } from '../../lib/socket-claim';

export interface ConnectorHooks {
  log(severity: number, text: string): void;
  /** requests the connector answers itself on the client's behalf */
  clientControl?(client: ClientEndpoint, msg: Message): boolean;
}

/** What one client, and all of them together, may hold in the broker. */
export interface ConnectorLimits {
  /** bytes of unread replies one client may hold before it is disconnected */
  clientOutbuf: number;
  /** bytes of large frames being received plus unread replies, all clients together */
  inflight: number;
  /** largest frame body accepted */
  maxFrame: number;
}

export const DEFAULT_CLIENT_OUTBUF = 32 * 1024 * 1024;
export const DEFAULT_INFLIGHT = 64 * 1024 * 1024;
/** how long a large frame may wait for room before the connector makes some */
export const STALL_MS = 10_000;

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** One connected client: reads its frames, writes its replies, keeps its accounts. */
export class ClientEndpoint implements Endpoint, BudgetWaiter {
  readonly uuid = randomUUID();
  readonly name: string;
  private readonly reader: FrameReader;
  /** bytes of the large frame being received that the budget holds for us */
  private reserved = 0;
  private waiting = false;
  /** bytes written to the socket and not yet flushed to the kernel */
  private held = 0;
  private closed = false;
  /** body bytes of the reserved frame when the stall check was armed */
  progressMark = -1;
  /** bytes of replies taken by this client (handed to the kernel), ever */
  flushedBytes = 0;
  /** flushedBytes when the stall check was armed */
  flushedMark = 0;
  private readonly logged = new Set<string>();

  constructor(
    readonly sock: net.Socket,
    id: number,
    private readonly conn: LocalConnector,
    /** who the client is, from the kernel (./access.ts) */
    readonly cred: Credentials,
    pid: number | undefined,
  ) {
    this.name = pid === undefined ? `client-${id}` : `client-${id} (pid ${pid})`;
    this.reader = new FrameReader(conn.limits.maxFrame);
  }

  /** Bytes of replies waiting for this client to read them. */
  get backlog(): number {
    return this.sock.writableLength;
  }

  get reservedBytes(): number {
    return this.reserved;
  }

  get waitingForRoom(): boolean {
    return this.waiting;
  }

  get frameProgress(): number {
    return this.reader.buffered;
  }

  deliver(msg: Message): void {
    if (this.closed || (msg.type === MsgType.Event && !mayReceiveEvent(this.cred, msg))) return;
    const limit = this.conn.limits.clientOutbuf;
    if (this.backlog > limit) {
      this.drop(`slow consumer: ${this.backlog} bytes of replies unread, over connector.client-outbuf (${mib(limit)})`);
      return;
    }
    let parts: Buffer[];
    try {
      parts = encodeFrameParts(msg);
      const body = partsLength(parts) - 4;
      if (body > this.conn.limits.maxFrame) {
        throw new FluxError(Errno.EMSGSIZE, `${msg.topic}: message of ${body} bytes exceeds the maximum frame of ${this.conn.limits.maxFrame}`);
      }
    } catch (e) {
      this.undeliverable(msg, e as FluxError);
      return;
    }
    const n = partsLength(parts);
    this.held += n;
    this.conn.budget.addOut(n);
    if (n > SMALL_FRAME) this.conn.reclaimer.note(n);
    this.corkForTurn();
    for (let i = 0; i < parts.length - 1; i++) this.sock.write(parts[i]!);
    this.sock.write(parts[parts.length - 1]!, () => this.flushed(n));
    if (this.conn.budget.out > this.conn.limits.inflight) this.conn.evictSlowest();
  }

  /**
   * What this client is sent in one loop turn leaves in one write at its end:
   * one system call and one wake-up of the client, not one per message.
   */
  private corkForTurn(): void {
    if (this.sock.writableCorked > 0) return;
    this.sock.cork();
    setImmediate(() => this.sock.uncork());
  }

  /**
   * A message for this client that cannot be encoded or framed: a response
   * becomes an error response, a request to a service it provides fails back
   * to its sender, an event is dropped.
   */
  private undeliverable(msg: Message, e: FluxError): void {
    const errnum = e.errno || Errno.EPROTO;
    this.logOnce(`undeliverable-${msg.type}`, `cannot deliver to ${this.name}: ${e.message}`);
    if (msg.type === MsgType.Response) {
      if (msg.errnum === 0) this.deliver({ ...errorResponseTo(msg, errnum, e.message), route: msg.route, flags: msg.flags });
    } else if (msg.type === MsgType.Request) {
      this.conn.router.fail(msg, errnum, e.message);
    }
  }

  private flushed(n: number): void {
    if (this.closed) return;
    this.flushedBytes += n;
    this.held -= n;
    this.conn.budget.subOut(n);
  }

  onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.drop((e as Error).message);
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      if (f.length > SMALL_FRAME) this.conn.reclaimer.note(f.length);
      this.onFrame(f);
    }
    if (!this.closed) this.reconcile();
  }

  /** Hold budget for the large frame being received, or stop reading until there is room. */
  private reconcile(): void {
    const len = this.reader.partial;
    const want = len > SMALL_FRAME ? len : 0;
    if (want === this.reserved || this.waiting) return;
    if (this.reserved > 0) {
      const r = this.reserved;
      this.reserved = 0;
      this.conn.budget.release(r);
    }
    if (want === 0) return;
    if (this.conn.budget.tryReserve(want)) {
      this.reserved = want;
      this.progressMark = -1;
    } else {
      this.waiting = true;
      this.reserved = want;
      this.sock.pause();
      this.conn.budget.wait(this, want);
      this.conn.armStallCheck();
    }
  }

  /** BudgetWaiter: room was made for our frame. */
  grant(): void {
    if (this.closed) return;
    this.waiting = false;
    this.progressMark = -1;
    this.sock.resume();
  }

  private onFrame(f: Buffer): void {
    let msg: Message;
    try {
      msg = decodeMessage(f, { maxDepth: CLIENT_PAYLOAD_DEPTH });
    } catch (e) {
      if (e instanceof PayloadError) this.refusePayload(e);
      else this.drop((e as Error).message);
      return;
    }
    const router = this.conn.router;
    if (msg.type === MsgType.Request) {
      this.stamp(msg);
      if (this.conn.hooks.clientControl?.(this, msg)) return;
      router.fromEndpoint(this, msg);
    } else if (msg.type === MsgType.Response) {
      // only a client serving a service answers requests, and only the owner may
      // register one: a guest's response could only be a forged one
      if (!(this.cred.rolemask & Role.Owner)) {
        this.drop('a guest sent a response message');
        return;
      }
      router.fromEndpoint(this, msg);
    } else {
      this.drop(`unexpected ${msg.type === MsgType.Event ? 'event' : 'control'} message`);
    }
  }

  private stamp(msg: Message): void {
    msg.userid = this.cred.userid;
    msg.rolemask = this.cred.rolemask;
    msg.route = [];
    // A client cannot know its broker's rank: "upstream of me" means this broker's parent.
    if (msg.flags & MsgFlag.Upstream) msg.nodeid = this.conn.router.rank;
  }

  /** The envelope decoded but its payload did not: answer EPROTO, keep the client. */
  private refusePayload(e: PayloadError): void {
    const m = e.head;
    this.logOnce('payload', `refused a message from ${this.name}: ${e.message}`);
    if (m.type === MsgType.Request) {
      if (m.flags & MsgFlag.NoResponse) return;
      this.stamp(m);
      this.deliver(errorResponseTo(m, Errno.EPROTO, e.message));
    } else if (m.type === MsgType.Response && this.cred.rolemask & Role.Owner) {
      // the client answered a request with a payload we refuse: its requester gets the error
      this.conn.router.fromEndpoint(this, { ...m, errnum: Errno.EPROTO, errstr: e.message, payload: undefined });
    }
  }

  private logOnce(kind: string, text: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    this.conn.hooks.log(LogLevel.warning, text);
  }

  /** Disconnect with one log line. */
  drop(why: string): void {
    if (this.closed) return;
    this.conn.hooks.log(LogLevel.warning, `dropping ${this.name}: ${why}`);
    this.close();
    this.sock.destroy();
  }

  /** Give back what this client held (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reader.buffered > SMALL_FRAME) this.conn.reclaimer.note(this.reader.buffered);
    if (this.waiting) {
      this.waiting = false;
      this.reserved = 0;
      this.conn.budget.cancel(this);
    } else if (this.reserved > 0) {
      const r = this.reserved;
      this.reserved = 0;
      this.conn.budget.release(r);
    }
    if (this.held > 0) {
      const h = this.held;
      this.held = 0;
      this.conn.budget.subOut(h);
    }
  }
}

export class LocalConnector {
  private server: net.Server | undefined;
  private readonly clients = new Set<ClientEndpoint>();
  private nextId = 1;
  private stallTimer: NodeJS.Timeout | undefined;
  readonly limits: ConnectorLimits;
  readonly budget: InflightBudget;
  readonly reclaimer: Reclaimer;
  readonly uid = process.getuid?.() ?? 0;
  readonly access: AccessPolicy;

  constructor(
    readonly router: Router,
    readonly hooks: ConnectorHooks,
    limits: Partial<ConnectorLimits> = {},
    access?: AccessPolicy,
  ) {
    this.access = access ?? { owner: this.uid, allowGuestUser: false, allowRootOwner: false };
    this.limits = {
      clientOutbuf: limits.clientOutbuf ?? DEFAULT_CLIENT_OUTBUF,
      inflight: limits.inflight ?? DEFAULT_INFLIGHT,
      maxFrame: limits.maxFrame ?? MAX_FRAME,
    };
    this.budget = new InflightBudget(this.limits.inflight);
    this.reclaimer = new Reclaimer(() => this.budget.reserved > 0);
  }

  async listen(sockPath: string): Promise<void> {
    // a running instance's socket is refused (EADDRINUSE), a stale one removed
    await claimSocketPath(sockPath);
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sockPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // with guests, the credential check is the gate (as Flux's connector-local)
    fs.chmodSync(sockPath, this.access.allowGuestUser ? 0o777 : 0o600);
  }

  private accept(sock: net.Socket): void {
    const peer = peerCred(sock);
    const cred = credentialsFor(this.access, peer?.uid);
    if (!cred) {
      // Handshake: one byte, non-zero = refused with that errno
      this.hooks.log(LogLevel.info, `refused a client of uid ${peer?.uid ?? 'unknown'}${peer ? ` (pid ${peer.pid})` : ''}: not the instance owner and [access] allows no guests`);
      sock.on('error', () => sock.destroy());
      sock.end(Buffer.from([Errno.EPERM]));
      return;
    }
    const ep = new ClientEndpoint(sock, this.nextId++, this, cred, peer?.pid);
    this.clients.add(ep);
    this.router.addEndpoint(ep);
    // Handshake: one byte, 0 = allowed (as Flux's connector-local does).
    sock.write(Buffer.from([0]));
    sock.on('data', (chunk: Buffer) => ep.onData(chunk));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      ep.close();
      this.clients.delete(ep);
      this.router.removeEndpoint(ep.uuid);
    });
  }

  /** Replies held for all clients exceed the budget: disconnect the client holding most. */
  evictSlowest(): void {
    let worst: ClientEndpoint | undefined;
    for (const c of this.clients) if (!worst || c.backlog > worst.backlog) worst = c;
    if (!worst || worst.backlog === 0) return;
    worst.drop(
      `slow consumer: ${worst.backlog} bytes of replies unread; all clients' unread replies are over connector.inflight-max (${mib(this.limits.inflight)})`,
    );
  }

  /**
   * While a large frame waits for room, check every STALL_MS that room is being
   * made: if not, disconnect whoever holds it without moving — a client that
   * took none of its replies in that time (the one with most unread), else
   * clients that sent nothing more of a large frame the budget holds for them.
   */
  armStallCheck(): void {
    if (this.stallTimer) return;
    for (const c of this.clients) {
      c.progressMark = c.frameProgress;
      c.flushedMark = c.flushedBytes;
    }
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (!this.budget.hasWaiters) return;
      this.relieve();
      if (this.budget.hasWaiters) this.armStallCheck();
    }, STALL_MS);
    this.stallTimer.unref();
  }

  private relieve(): void {
    let worst: ClientEndpoint | undefined;
    for (const c of this.clients) {
      if (c.backlog > 0 && c.flushedBytes === c.flushedMark && (!worst || c.backlog > worst.backlog)) worst = c;
    }
    const secs = STALL_MS / 1000;
    if (worst) {
      worst.drop(`slow consumer: ${worst.backlog} bytes of replies unread, none taken for ${secs}s while other clients wait for room in connector.inflight-max (${mib(this.limits.inflight)})`);
      return;
    }
    for (const c of this.clients) {
      if (c.reservedBytes > 0 && !c.waitingForRoom && c.frameProgress === c.progressMark) {
        c.drop(`stalled: sent ${c.frameProgress} bytes of a ${c.reservedBytes}-byte frame, then nothing for ${secs}s while other clients wait for room in connector.inflight-max`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.reclaimer.close();
    // what the last turn wrote is still corked (corkForTurn): out to the socket before it closes
    for (const c of this.clients) c.sock.end().destroy();
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** Handle event.subscribe / event.unsubscribe / service.add / service.remove for a client. */
export function clientControl(router: Router, ep: ClientEndpoint, msg: Message): boolean {
  const body = (msg.payload ?? {}) as { topic?: unknown; service?: unknown };
  const reply = (payload?: unknown) => ep.deliver(responseTo(msg, payload ?? {}));
  const fail = (e: FluxError) => ep.deliver(errorResponseTo(msg, e.errno, e.message));
  switch (msg.topic) {
    case 'event.subscribe':
    case 'event.unsubscribe':
      if (typeof body.topic !== 'string') {
        fail(new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: topic must be a string`));
        return true;
      }
      if (msg.topic === 'event.subscribe') router.subscribe(ep.uuid, body.topic);
      else router.unsubscribe(ep.uuid, body.topic);
      reply();
      return true;
    case 'service.add':
    case 'service.remove':
      if (!(ep.cred.rolemask & Role.Owner)) {
        fail(new FluxError(Errno.EPERM, `${msg.topic}: only the instance owner may register services`));
        return true;
      }
      if (typeof body.service !== 'string' || body.service.includes('.')) {
        fail(new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: service must be a name without '.'`));
        return true;
      }
      if (msg.topic === 'service.add') {
        try {
          router.addService(body.service, ep.uuid);
        } catch {
          fail(new FluxError(Errno.EEXIST, `service ${body.service} is already registered`));
          return true;
        }
      } else if (!router.removeService(body.service, ep.uuid)) {
        fail(new FluxError(Errno.ENOENT, `service ${body.service} is not registered by this client`));
        return true;
      }
      reply();
      return true;
    default:
      return false;
  }
}
