/**
 * LocalHandle: an in-process endpoint that implements the Handle API for one
 * party inside the broker (a module, or the broker's own services). Requests it
 * receives go to its dispatcher; responses complete its pending RPCs; events go to
 * its subscription callbacks. Messages stay objects: nothing is encoded here.
 */
import { randomUUID } from 'node:crypto';
import { Errno, strerror } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { LogLevel, type Handle, type LogLevelName, type RpcOptions, type StreamOptions } from '../api/handle';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  NODEID_UPSTREAM,
  Role,
  errorResponseTo,
  request as makeRequest,
  responseTo,
  type Message,
} from '../message/message';
import type { Endpoint, Router } from './router';
import { longTimeout, type LongTimer } from '../../lib/long-timer';

/** the broker runs as the instance owner; getuid() is a system call, so ask once */
const OWNER_UID = process.getuid?.() ?? 0;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  stream?: (payload: unknown) => void;
  timer?: LongTimer;
}

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
  private readonly pending = new Map<number, Pending>();
  private nextTag = 1;
  private readonly eventCbs = new Map<string, Set<(m: Message) => void>>();
  /** receives requests addressed to this endpoint's services */
  onRequest: (msg: Message) => void = (msg) => this.respondError(msg, Errno.ENOSYS);
  /** last time a message was sent or received (for `flux module list` Idle) */
  lastActivity = Date.now();

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

  deliver(msg: Message): void {
    this.lastActivity = Date.now();
    switch (msg.type) {
      case MsgType.Response:
        this.onResponse(msg);
        break;
      case MsgType.Request:
        this.onRequest(msg);
        break;
      case MsgType.Event:
        for (const [prefix, cbs] of this.eventCbs) {
          if (msg.topic.startsWith(prefix)) for (const cb of cbs) cb(msg);
        }
        break;
    }
  }

  private onResponse(msg: Message): void {
    const p = this.pending.get(msg.matchtag);
    if (!p) return;
    if (p.stream && msg.errnum === 0) {
      p.stream(msg.payload);
      return;
    }
    this.pending.delete(msg.matchtag);
    p.timer?.clear();
    if (msg.errnum === 0) p.resolve(msg.payload);
    else if (p.stream && msg.errnum === Errno.ENODATA) p.resolve(undefined);
    else p.reject(new FluxError(msg.errnum, msg.errstr));
  }

  private build(topic: string, payload: unknown, opts: RpcOptions | undefined, flags: number): Message {
    let nodeid = opts?.nodeid ?? NODEID_ANY;
    if (nodeid === NODEID_UPSTREAM) {
      nodeid = this.ctx.rank;
      flags |= MsgFlag.Upstream;
    }
    const m = makeRequest(topic, { nodeid, flags, payload });
    m.userid = OWNER_UID;
    m.rolemask = Role.Owner | Role.Local;
    return m;
  }

  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tag = this.nextTag++;
      const m = this.build(topic, payload, opts, 0);
      m.matchtag = tag;
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject };
      if (opts?.timeoutMs !== undefined) {
        // a timeout is the caller's choice (flux overlay status -t): any length
        p.timer = longTimeout(() => {
          this.pending.delete(tag);
          reject(new FluxError(Errno.ETIMEDOUT, `${topic}: ${strerror(Errno.ETIMEDOUT)}`));
        }, opts.timeoutMs);
      }
      this.pending.set(tag, p);
      this.lastActivity = Date.now();
      this.ctx.router.fromEndpoint(this, m);
    });
  }

  rpcStream(topic: string, payload: unknown, opts: StreamOptions): { done: Promise<void>; cancel(): void } {
    const tag = this.nextTag++;
    const done = new Promise<void>((resolve, reject) => {
      const m = this.build(topic, payload, opts, MsgFlag.Streaming);
      m.matchtag = tag;
      this.pending.set(tag, { resolve: () => resolve(), reject, stream: opts.onResponse });
      this.ctx.router.fromEndpoint(this, m);
    });
    return {
      done,
      cancel: () => {
        const p = this.pending.get(tag);
        if (p) {
          this.pending.delete(tag);
          p.resolve(undefined);
        }
      },
    };
  }

  send(topic: string, payload?: unknown, opts?: RpcOptions): void {
    const m = this.build(topic, payload, opts, MsgFlag.NoResponse);
    this.ctx.router.fromEndpoint(this, m);
  }

  respond(req: Message, payload?: unknown): void {
    if (req.flags & MsgFlag.NoResponse) return;
    this.lastActivity = Date.now();
    this.ctx.router.fromEndpoint(this, responseTo(req, payload));
  }

  respondError(req: Message, errnum: number, errstr?: string): void {
    if (req.flags & MsgFlag.NoResponse) return;
    this.ctx.router.fromEndpoint(this, errorResponseTo(req, errnum, errstr));
  }

  publish(topic: string, payload?: unknown): Promise<void> {
    return this.ctx.publish(topic, payload);
  }

  subscribe(prefix: string, cb: (msg: Message) => void): () => void {
    let s = this.eventCbs.get(prefix);
    if (!s) this.eventCbs.set(prefix, (s = new Set()));
    s.add(cb);
    this.ctx.router.subscribe(this.uuid, prefix);
    return () => {
      const set = this.eventCbs.get(prefix);
      set?.delete(cb);
      if (set && set.size === 0) {
        this.eventCbs.delete(prefix);
        this.ctx.router.unsubscribe(this.uuid, prefix);
      }
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
    for (const [tag, p] of this.pending) {
      this.pending.delete(tag);
      p.timer?.clear();
      p.reject(new FluxError(errnum, text));
    }
  }
}
