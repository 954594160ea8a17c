/**
 * The router: moves messages between endpoints in this broker (modules, local
 * clients, the broker's own services) and the overlay (parent and children), by
 * the rules of RFC 3: requests go to the service named by the first topic
 * component (ANY: nearest rank up the tree that has it), responses retrace the
 * route stack, events fan out from rank 0 down the tree to subscribers.
 */
import { Errno, strerror } from '../../lib/errno';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  errorResponseTo,
  serviceOf,
  type Message,
} from '../message/message';

/** Anything that can receive messages inside this broker. */
export interface Endpoint {
  readonly uuid: string;
  /** name for logs and `flux module list` */
  readonly name: string;
  deliver(msg: Message): void;
}

/** What the router needs from the overlay (a singleton has none). */
export interface OverlayPort {
  /** uuid of the parent broker, undefined at rank 0 */
  readonly parentUuid: string | undefined;
  /** next-hop child uuid toward a rank in my subtree, else undefined */
  childToward(rank: number): string | undefined;
  isChild(uuid: string): boolean;
  /** false if the link is down */
  sendToParent(msg: Message): boolean;
  sendToChild(uuid: string, msg: Message): boolean;
  /** forward an event to every connected child */
  sendEventDown(msg: Message): void;
}

export class Router {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly services = new Map<string, string>();
  private readonly subs = new Map<string, Set<string>>();
  private readonly used = new Map<string, Set<string>>();
  overlay: OverlayPort | undefined;
  /** called for dropped messages (debug log) */
  onDrop: (msg: Message, why: string) => void = () => {};
  /** requests, responses and events routed so far: how lib/idle-reduce.ts tells the broker is idle */
  traffic = 0;
  /** set by lib/idle-reduce.ts once it has reduced: called on the next message */
  wake: (() => void) | undefined;

  constructor(
    readonly rank: number,
    readonly uuid: string,
  ) {}

  addEndpoint(ep: Endpoint): void {
    this.endpoints.set(ep.uuid, ep);
  }

  /** Forget an endpoint, its services and subscriptions; tell services it used. */
  removeEndpoint(uuid: string): void {
    const ep = this.endpoints.get(uuid);
    if (!ep) return;
    this.endpoints.delete(uuid);
    for (const [name, owner] of this.services) if (owner === uuid) this.services.delete(name);
    this.subs.delete(uuid);
    const used = this.used.get(uuid);
    this.used.delete(uuid);
    if (used) {
      for (const svc of used) {
        const owner = this.services.get(svc);
        const target = owner ? this.endpoints.get(owner) : undefined;
        if (!target) continue;
        target.deliver({
          type: MsgType.Request,
          flags: MsgFlag.NoResponse,
          topic: `${svc}.disconnect`,
          nodeid: NODEID_ANY,
          matchtag: 0,
          route: [uuid],
          userid: 0,
          rolemask: 0,
          errnum: 0,
        });
      }
    }
  }

  endpoint(uuid: string): Endpoint | undefined {
    return this.endpoints.get(uuid);
  }

  addService(name: string, uuid: string): void {
    const cur = this.services.get(name);
    if (cur !== undefined && cur !== uuid) {
      const e = new Error(`service ${name} is already registered`) as Error & { errno: number };
      e.errno = Errno.EEXIST;
      throw e;
    }
    this.services.set(name, uuid);
  }

  removeService(name: string, uuid?: string): boolean {
    if (uuid !== undefined && this.services.get(name) !== uuid) return false;
    return this.services.delete(name);
  }

  serviceOwner(name: string): string | undefined {
    return this.services.get(name);
  }

  servicesOf(uuid: string): string[] {
    const out: string[] = [];
    for (const [name, owner] of this.services) if (owner === uuid) out.push(name);
    return out;
  }

  subscribe(uuid: string, prefix: string): void {
    let s = this.subs.get(uuid);
    if (!s) this.subs.set(uuid, (s = new Set()));
    s.add(prefix);
  }

  unsubscribe(uuid: string, prefix: string): void {
    this.subs.get(uuid)?.delete(prefix);
  }

  /** A message sent by a local endpoint. */
  fromEndpoint(ep: Endpoint, msg: Message): void {
    if (msg.type === MsgType.Request) {
      msg.route.push(ep.uuid);
      const svc = serviceOf(msg.topic);
      let u = this.used.get(ep.uuid);
      if (!u) this.used.set(ep.uuid, (u = new Set()));
      u.add(svc);
      this.routeRequest(msg);
    } else if (msg.type === MsgType.Response) {
      this.routeResponse(msg);
    } else {
      this.onDrop(msg, `${ep.name} sent a message of type ${msg.type} directly`);
    }
  }

  /** a message passes: counted for lib/idle-reduce.ts, which may be waiting for one */
  private counted(): void {
    this.traffic++;
    if (this.wake !== undefined) this.wake();
  }

  /** Route a request (from a local endpoint or a peer). */
  routeRequest(msg: Message): void {
    this.counted();
    const upstream = (msg.flags & MsgFlag.Upstream) !== 0;
    const nodeid = msg.nodeid;
    if (upstream && nodeid === this.rank) {
      this.sendUp(msg);
    } else if (nodeid === NODEID_ANY || upstream) {
      if (!this.deliverLocal(msg)) {
        if (this.overlay?.parentUuid !== undefined) this.sendUp(msg);
        else this.fail(msg, Errno.ENOSYS, `No service matching ${msg.topic} is registered`);
      }
    } else if (nodeid === this.rank) {
      if (!this.deliverLocal(msg)) this.fail(msg, Errno.ENOSYS, `No service matching ${msg.topic} is registered`);
    } else {
      const child = this.overlay?.childToward(nodeid);
      if (child !== undefined) {
        msg.route.push(this.uuid);
        const sent = this.toPeer(() => this.overlay!.sendToChild(child, msg));
        if (sent !== true) {
          msg.route.pop();
          this.fail(msg, sent === false ? Errno.EHOSTUNREACH : sent.errno, sent === false ? undefined : sent.message);
        }
      } else if (this.overlay?.parentUuid !== undefined) {
        this.sendUp(msg);
      } else {
        this.fail(msg, Errno.EHOSTUNREACH);
      }
    }
  }

  private sendUp(msg: Message): void {
    const ov = this.overlay;
    if (!ov || ov.parentUuid === undefined) {
      this.fail(msg, Errno.EHOSTUNREACH);
      return;
    }
    msg.route.push(this.uuid);
    const sent = this.toPeer(() => ov.sendToParent(msg));
    if (sent !== true) {
      msg.route.pop();
      this.fail(msg, sent === false ? Errno.EHOSTUNREACH : sent.errno, sent === false ? undefined : sent.message);
    }
  }

  /**
   * Hand a message to the overlay: true if sent, false if the link is down, or
   * the error that kept it from being encoded (a payload JSON cannot carry, a
   * message over the frame limit) — never an exception into the caller.
   */
  private toPeer(send: () => boolean): boolean | { errno: number; message: string } {
    try {
      return send();
    } catch (e) {
      const errno = (e as { errno?: unknown }).errno;
      return { errno: typeof errno === 'number' && errno > 0 ? errno : Errno.EPROTO, message: `${(e as Error).message}` };
    }
  }

  private deliverLocal(msg: Message): boolean {
    const owner = this.services.get(serviceOf(msg.topic));
    if (owner === undefined) return false;
    const ep = this.endpoints.get(owner);
    if (!ep) return false;
    ep.deliver(msg);
    return true;
  }

  /** Answer a request with an error on behalf of the infrastructure. */
  fail(msg: Message, errnum: number, errstr?: string): void {
    if (msg.flags & MsgFlag.NoResponse) return;
    this.routeResponse(errorResponseTo(msg, errnum, errstr ?? strerror(errnum)));
  }

  /** Route a response by popping the route stack. */
  routeResponse(msg: Message): void {
    this.counted();
    const hop = msg.route.pop();
    if (hop === undefined) {
      this.onDrop(msg, 'response with an empty route');
      return;
    }
    const ep = this.endpoints.get(hop);
    if (ep) {
      ep.deliver(msg);
      return;
    }
    const ov = this.overlay;
    if (ov && hop === ov.parentUuid) {
      if (!this.responseToPeer(msg, (m) => ov.sendToParent(m))) this.onDrop(msg, 'parent unreachable');
    } else if (ov && ov.isChild(hop)) {
      if (!this.responseToPeer(msg, (m) => ov.sendToChild(hop, m))) this.onDrop(msg, `child ${hop.slice(0, 8)} unreachable`);
    } else {
      this.onDrop(msg, `no route to ${hop.slice(0, 8)}`);
    }
  }

  /** Send a response to a peer; one that cannot be encoded goes as an error response instead. */
  private responseToPeer(msg: Message, send: (m: Message) => boolean): boolean {
    const sent = this.toPeer(() => send(msg));
    if (typeof sent === 'boolean') return sent;
    if (msg.errnum !== 0) return false;
    // its requester gets the reason rather than waiting for ever
    return this.toPeer(() => send({ ...msg, errnum: sent.errno, errstr: sent.message, payload: undefined })) === true;
  }

  private readonly eventQueue: Message[] = [];
  private dispatching = false;

  /**
   * Deliver an event to local subscribers and pass it down the tree. An event
   * published by a subscriber while another is being delivered waits its turn, so
   * every rank and every subscriber sees events in sequence order.
   */
  dispatchEvent(msg: Message): void {
    this.counted();
    this.eventQueue.push(msg);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let m = this.eventQueue.shift(); m; m = this.eventQueue.shift()) {
        const ev = m;
        const sent = this.toPeer(() => {
          this.overlay?.sendEventDown(ev);
          return true;
        });
        if (sent !== true) this.onDrop(ev, `not sent to other ranks: ${sent === false ? 'unreachable' : sent.message}`);
        for (const [uuid, prefixes] of this.subs) {
          for (const p of prefixes) {
            if (m.topic.startsWith(p)) {
              this.endpoints.get(uuid)?.deliver(m);
              break;
            }
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
