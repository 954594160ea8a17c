/**
 * LocalHandle: an in-process endpoint that implements the Handle API for one
 * party inside the broker (a module, or the broker's own services). It is a
 * thin transport over the one RPC tracker (lib/rpc, ADR 0011): requests it
 * sends go to the router, responses it receives go to the tracker, events to
 * its subscription callbacks, and requests addressed to its services to its
 * dispatcher. Messages stay objects: nothing is encoded here.
 */
import { randomUUID } from '../../lib/uuid';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { checkEventOnce, isEventPayload, type EventPayload, type PublishArgs } from '../../lib/protocol/event-check';
import { EventSubscriptions, RpcTracker, type OutgoingRequest, type StreamCall } from '../../lib/rpc';
import { LogLevel, type Handle, type LogLevelName, type RpcOptions, type StreamOptions } from '../api/handle';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  NODEID_UPSTREAM,
  Role,
  errorResponseTo,
  event as makeEvent,
  request as makeRequest,
  responseTo,
  type Message,
} from '../message/message';
import { JsonBytes } from '../message/codec';
import type { Endpoint, Router } from './router';
import { OWNER_UID } from '../../lib/owner-uid';

const FLAGS = { rpc: 0, stream: MsgFlag.Streaming, oneway: MsgFlag.NoResponse } as const;

export interface BrokerContext {
  readonly router: Router;
  readonly rank: number;
  readonly size: number;
  getattr(name: string): string | undefined;
  log(severity: number, appname: string, text: string): void;
  /** publish an event (rank 0 sequences it) */
  publish(topic: string, payload: unknown, flags?: number): Promise<void>;
}

export class LocalHandle implements Handle, Endpoint {
  private readonly tracker = new RpcTracker((r) => this.transmit(r));
  private readonly events = new EventSubscriptions<Message>();
  /** receives requests addressed to this endpoint's services */
  onRequest: (msg: Message) => void = (msg) => this.respondError(msg, Errno.ENOSYS);
  /** last time a message was sent or received (for `flux module list` Idle) */
  lastActivity = Date.now();
  /** set while someone traces this module (flux module trace): each message it receives (rx) or sends (tx) */
  tracer: ((prefix: 'rx' | 'tx', msg: Message) => void) | undefined;

  constructor(
    private readonly ctx: BrokerContext,
    readonly name: string,
    readonly uuid: string = randomUUID(),
  ) {}

  get rank(): number {
    return this.ctx.rank;
  }
  get size(): number {
    return this.ctx.size;
  }

  /** calls waiting for responses (tests) */
  get outstanding(): number {
    return this.tracker.outstanding;
  }

  deliver(msg: Message): void {
    this.lastActivity = Date.now();
    this.tracer?.('rx', msg);
    switch (msg.type) {
      case MsgType.Response:
        this.tracker.receive(msg);
        break;
      case MsgType.Request:
        this.onRequest(msg);
        break;
      case MsgType.Event: {
        // a declared event reaches subscribers only once its payload fits its schema (ADR 0019)
        const c = checkEventOnce(msg);
        if (c.ok) this.events.dispatch(msg);
        else if (c.first) this.ctx.log(3, this.name, `${msg.topic}: malformed event dropped: ${c.why}`);
        break;
      }
    }
  }

  /** The tracker's request as a message from this endpoint, into the router. */
  private transmit(r: OutgoingRequest): void {
    let nodeid = r.nodeid ?? NODEID_ANY;
    let flags: number = FLAGS[r.kind];
    if (nodeid === NODEID_UPSTREAM) {
      nodeid = this.ctx.rank;
      flags |= MsgFlag.Upstream;
    }
    // a payload already encoded (a client's JsonBytes) is a value here: modules in process hand values over
    const payload = r.payload instanceof JsonBytes ? (JSON.parse(r.payload.bytes.toString('utf8')) as unknown) : r.payload;
    const m = makeRequest(r.topic, { nodeid, flags, payload, matchtag: r.matchtag });
    m.userid = OWNER_UID;
    m.rolemask = Role.Owner | Role.Local;
    this.lastActivity = Date.now();
    this.toRouter(m);
  }

  private toRouter(m: Message): void {
    this.tracer?.('tx', m);
    this.ctx.router.fromEndpoint(this, m);
  }

  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T> {
    return this.tracker.rpc<T>(topic, payload, opts);
  }

  rpcStream(topic: string, payload: unknown, opts: StreamOptions): StreamCall {
    return this.tracker.stream(topic, payload, opts.onResponse, opts);
  }

  send(topic: string, payload?: unknown, opts?: RpcOptions): void {
    this.tracker.send(topic, payload, opts);
  }

  respond(req: Message, payload?: unknown): void {
    if (req.flags & MsgFlag.NoResponse) return;
    this.lastActivity = Date.now();
    this.toRouter(responseTo(req, payload));
  }

  respondError(req: Message, errnum: number, errstr?: string): void {
    if (req.flags & MsgFlag.NoResponse) return;
    this.toRouter(errorResponseTo(req, errnum, errstr));
  }

  publish<T extends string>(topic: T, ...payload: PublishArgs<T>): Promise<void> {
    this.tracer?.('tx', makeEvent(topic, payload[0]));
    return this.ctx.publish(topic, payload[0]);
  }

  publishPrivate<T extends string>(topic: T, ...payload: PublishArgs<T>): Promise<void> {
    this.tracer?.('tx', makeEvent(topic, payload[0]));
    return this.ctx.publish(topic, payload[0], MsgFlag.Private);
  }

  subscribe<T extends string>(prefix: T, cb: (msg: Message, payload: EventPayload<T>) => void): () => void {
    // deliver() has dropped a malformed declared event; an absent payload is {} as for a request
    const each = (m: Message): void => {
      const payload = m.payload ?? {};
      if (isEventPayload(prefix, payload)) cb(m, payload);
    };
    if (this.events.add(prefix, each)) this.ctx.router.subscribe(this.uuid, prefix);
    return () => {
      if (this.events.remove(prefix, each)) this.ctx.router.unsubscribe(this.uuid, prefix);
    };
  }

  getattr(name: string): string | undefined {
    return this.ctx.getattr(name);
  }

  log(level: LogLevelName, text: string): void {
    this.ctx.log(LogLevel[level], this.name, text);
  }

  /** Fail every pending RPC (the endpoint is going away). */
  abortAll(errnum: number, text?: string): void {
    this.tracker.failAll(new FluxError(errnum, text));
  }
}
