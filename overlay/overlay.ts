/**
 * The overlay: this broker's secure links to its TBON parent and children. It is
 * the router's OverlayPort (messages up and down, lost-peer EHOSTUNREACH for
 * tracked requests, events forwarded down in order) and the broker's Tree (the
 * follower state-machine rules of broker.md §2: JOIN waits for the parent's
 * QUORUM/RUN, rank 0 counts `broker.online` for quorum, followers run while the
 * parent runs, parents outlive children in SHUTDOWN, goodbye). A lost parent
 * takes this broker's whole subtree down with it. Liveness (liveness.ts): a
 * child silent for tbon.torpid_max is torpid (still connected, not scheduled
 * on) until heard again; one whose socket closes, or that takes nothing we send
 * for tbon.tcp_user_timeout, is lost.
 */
import type * as net from 'node:net';
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';
import { LogLevel } from '../kernel/api/handle';
import * as idset from '../lib/formats/idset';
import * as hostlist from '../lib/formats/hostlist';
import * as fsd from '../lib/formats/fsd';
import { formatC } from '../lib/formats/fsd';
import type { TreeHost } from '../kernel/tree-host';
import type { Tree } from '../kernel/tree-host';
import { MsgFlag, MsgType, errorResponseTo, type Message } from '../kernel/message/message';
import type { OverlayPort } from '../kernel/tree-host';
import { STATE_NUMBER, type BrokerState } from '../kernel/tree-host';
import type { KeyPair } from '../lib/crypto/keys';
import { publicKeyText } from '../lib/crypto/keys';
import { LinkError, secureAccept, secureConnect } from './secure-link';
import type { PeerLink, Stall } from './peer-link';
import { connectParent } from './parent-connect';
import { AcceptGuard } from './accept-guard';
import { livenessOf, type Liveness } from './liveness';
import { SendStall } from './send-stall';
import { controlPayload } from './control-payload';
import type { Topology } from '../lib/tree-topology';
import { monoMs } from '../lib/clock';
import { MessageTracer } from '../lib/msg-trace';
import * as transport from './transport';

import type { PeerStatus } from '../lib/protocol/overlay';
export type { PeerStatus };
const VERSION = 0x005800; // 0.88.0 as 0xMMmmpp
const S = STATE_NUMBER;

/**
 * The links themselves never time out on silence: silence makes a child
 * torpid, not lost (liveness.ts). Keepalives go out every tbon.torpid_min.
 */
const NO_SILENCE_LIMIT = Number.POSITIVE_INFINITY;
/** How long a leaving child waits for its parent to answer goodbye. */
export const GOODBYE_TIMEOUT_MS = 5_000;

export interface OverlayInit {
  rank: number;
  size: number;
  topo: Topology;
  /** hostname of every rank */
  hosts: string[];
  keys: KeyPair;
  /** child rank -> its public key (the allow-list) */
  childKeys: Map<number, Buffer>;
  /** rank > 0: the parent's key and the URI to reach it */
  parentKey?: Buffer;
  parentUri?: string;
  /**
   * Brokers sharing one process (overlay/inproc-*): how to reach the parent
   * instead of a socket and a handshake, and where deadly signals come from.
   */
  dialParent?: () => Promise<PeerLink>;
  signals?: NodeJS.EventEmitter;
}

interface Child {
  rank: number;
  uuid?: string;
  link?: PeerLink;
  status: PeerStatus;
  /** the child's own report of its subtree */
  subtree: PeerStatus;
  online: Set<number>;
  /** when status last changed (monoMs: durations only) */
  since: number;
  error?: string;
  leaving: boolean;
  tracked: Map<string, Message>;
  /** silent for tbon.torpid_max (connected, not to be scheduled on) */
  torpid: boolean;
  torpidSince: number;
  /** ranks of its subtree it reports torpid */
  subtreeTorpid: Set<number>;
  /** silence before this is not the child's fault (our loop was blocked) */
  graceAt: number;
  stall?: Stall;
}

function control(topic: string, payload?: unknown, errnum = 0, errstr?: string): Message {
  const m: Message = { type: MsgType.Control, flags: 0, topic, nodeid: 0, matchtag: 0, route: [], userid: 0, rolemask: 0, errnum, payload };
  if (errstr) m.errstr = errstr;
  return m;
}

export class Overlay implements OverlayPort, Tree {
  readonly port: OverlayPort = this;
  readonly rank: number;
  readonly size: number;
  readonly topo: Topology;
  readonly hosts: string[];
  private readonly keys: KeyPair;
  readonly childKeys: Map<number, Buffer>;
  parentKey: Buffer | undefined;
  parentUri: string | undefined;
  listener: transport.Listener | undefined;

  private readonly children = new Map<number, Child>();
  private readonly byUuid = new Map<string, Child>();
  private parentLink: PeerLink | undefined;
  /** flux overlay trace: who traces this broker's links (lib/msg-trace.ts) */
  readonly tracer = new MessageTracer((key, why) => this.log(LogLevel.err, `overlay trace ${key}: stopped: ${why}`));
  private parentId: string | undefined;
  private parentState = -1;
  private parentLost: string | undefined;
  private leaving = false;
  private readonly parentTracked = new Map<string, Message>();
  private state: BrokerState = 'load-builtins';
  private statusWord: PeerStatus = 'full';
  /** when the status last changed (monoMs: durations only) */
  private statusSince = monoMs();
  private online = new Set<number>();
  private torpidRanks = new Set<number>();
  private reported = '';
  readonly liveness: Liveness;
  private livenessTimer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private parentStall: Stall | undefined;
  private lastEventSeq = 0;
  private readonly waiters = new Set<() => void>();
  /** hellos that came before the hosts (holdHello) */
  private readonly helloBeforeHosts: Array<() => void> = [];
  /** bounds connections on our listening socket until they authenticate */
  private readonly guard = new AcceptGuard((sev, text) => this.log(sev, text));
  private readonly dialParent: (() => Promise<PeerLink>) | undefined;
  private readonly signals: NodeJS.EventEmitter;

  constructor(
    readonly broker: TreeHost,
    init: OverlayInit,
  ) {
    this.rank = init.rank;
    this.size = init.size;
    this.topo = init.topo;
    this.hosts = init.hosts;
    this.keys = init.keys;
    this.childKeys = init.childKeys;
    this.parentKey = init.parentKey;
    this.parentUri = init.parentUri;
    this.dialParent = init.dialParent;
    this.signals = init.signals ?? process;
    for (const c of this.topo.children(this.rank)) {
      this.children.set(c, {
        rank: c,
        status: 'offline',
        subtree: 'offline',
        online: new Set(),
        since: monoMs(),
        leaving: false,
        tracked: new Map(),
        torpid: false,
        torpidSince: 0,
        subtreeTorpid: new Set(),
        graceAt: 0,
      });
    }
    this.statusWord = this.computeStatus();
    this.liveness = livenessOf(broker.attrs);
  }

  private get linkOpts(): { keepaliveMs: number; timeoutMs: number } {
    // a timer over 2^31 ms would fire at once
    return { keepaliveMs: Math.min(this.liveness.torpidMinMs, 2 ** 31 - 1), timeoutMs: NO_SILENCE_LIMIT };
  }

  private log(sev: number, text: string): void {
    this.broker.log(sev, 'overlay', text);
  }

  hostOf(rank: number): string {
    return this.hosts[rank] ?? String(rank);
  }

  /* ------------------------------------------------------------ OverlayPort */

  get parentUuid(): string | undefined {
    return this.rank === 0 ? undefined : (this.parentId ?? 'parent-not-connected');
  }

  childToward(rank: number): string | undefined {
    const c = this.topo.childToward(this.rank, rank);
    if (c === undefined) return undefined;
    return this.children.get(c)?.uuid ?? `offline-rank-${c}`;
  }

  isChild(uuid: string): boolean {
    return this.byUuid.has(uuid) || uuid.startsWith('offline-rank-');
  }

  /** a message on the link to peer `rank`, traced when someone traces (flux overlay trace) */
  private sendOn(link: PeerLink, rank: number, msg: Message): boolean {
    if (this.tracer.active) this.tracer.record('tx', '', msg, rank);
    return link.send(msg);
  }

  private traceIn(rank: number, msg: Message): void {
    if (this.tracer.active) this.tracer.record('rx', '', msg, rank);
  }

  private get parentRank(): number {
    return this.topo.parentOf(this.rank) ?? -1;
  }

  sendToParent(msg: Message): boolean {
    const l = this.parentLink;
    if (!l || !l.isOpen || this.leaving) return false;
    // track only what was sent: send throws for a message it cannot encode
    const sent = this.sendOn(l, this.parentRank, msg);
    if (sent) this.track(this.parentTracked, msg);
    return sent;
  }

  sendToChild(uuid: string, msg: Message): boolean {
    const c = this.byUuid.get(uuid);
    if (!c || !c.link || !c.link.isOpen || c.leaving) return false;
    const sent = this.sendOn(c.link, c.rank, msg);
    if (sent) this.track(c.tracked, msg);
    return sent;
  }

  sendEventDown(msg: Message): void {
    for (const c of this.children.values()) if (c.link?.isOpen && !c.leaving) this.sendOn(c.link, c.rank, msg);
  }

  /** remember a forwarded request until its final response (for EHOSTUNREACH on loss) */
  private track(map: Map<string, Message>, msg: Message): void {
    if (msg.type !== MsgType.Request || msg.flags & MsgFlag.NoResponse) return;
    const route = msg.route.slice(0, -1);
    map.set(`${route.join('!')}:${msg.matchtag}`, { ...msg, route, payload: undefined });
  }

  private untrack(map: Map<string, Message>, resp: Message): void {
    if (resp.flags & MsgFlag.Streaming && resp.errnum === 0) return;
    map.delete(`${resp.route.join('!')}:${resp.matchtag}`);
  }

  private failTracked(map: Map<string, Message>): void {
    const reqs = [...map.values()];
    map.clear();
    for (const req of reqs) this.broker.router?.routeResponse(errorResponseTo(req, Errno.EHOSTUNREACH));
  }

  /** a message from a peer link */
  private fromPeer(m: Message, tracked: Map<string, Message>, fromParent: boolean): void {
    const router = this.broker.router;
    if (!router) return;
    switch (m.type) {
      case MsgType.Request:
        router.routeRequest(m);
        break;
      case MsgType.Response:
        this.untrack(tracked, m);
        router.routeResponse(m);
        break;
      case MsgType.Event:
        if (!fromParent) return;
        if (this.lastEventSeq > 0 && m.nodeid !== this.lastEventSeq + 1) {
          this.log(LogLevel.err, `event sequence gap: expected ${this.lastEventSeq + 1}, got ${m.nodeid}`);
        }
        this.lastEventSeq = m.nodeid;
        router.dispatchEvent(m);
        break;
    }
  }

  /* ------------------------------------------------------------ parent side */

  /** A connection on our listening socket: authenticate, then wait for hello. */
  acceptConnection(sock: net.Socket): void {
    // Each child's own key names it; with one shared certificate (config
    // bootstrap) the key only says "one of ours" ('*') and hello names the rank.
    const allow = (pk: Buffer): string | undefined => {
      const ranks = [...this.childKeys].filter(([, k]) => k.equals(pk)).map(([r]) => r);
      if (ranks.length === 0) return undefined;
      return ranks.length === 1 ? String(ranks[0]) : '*';
    };
    const opts = this.linkOpts;
    void this.guard.admit(sock, (s) => secureAccept(s, this.keys, allow, publicKeyText, opts)).then(
      (link) => {
        if (link) this.acceptLink(link, new SendStall(sock));
      },
    );
  }

  /** An authenticated link from a would-be child: wait for its hello. */
  acceptLink(link: PeerLink, stall?: Stall): void {
    link.onClose = () => {};
    link.onMessage = (m) => {
      if (m.type === MsgType.Control && m.topic === 'hello') {
        if (this.hosts.length > 0) this.onHello(link, m, stall);
        else this.holdHello(link, () => this.onHello(link, m, stall));
      } else {
        this.log(LogLevel.err, `${link.peerName}: message before hello dropped`);
        link.close();
      }
    };
  }

  /**
   * PMI bootstrap learns the instance's hosts last (factory.ts: after its
   * second barrier, a get from the launcher), and a child that got its own
   * answer first can already be saying hello: its hello waits for the hosts
   * to check its name against, instead of being refused for an empty list.
   */
  private holdHello(link: PeerLink, answer: () => void): void {
    this.log(LogLevel.debug, `${link.peerName === '*' ? 'a child' : `rank ${link.peerName}`}: hello held until the instance's hosts are known`);
    this.helloBeforeHosts.push(() => {
      if (link.isOpen) answer();
    });
  }

  /** the instance's hosts in rank order, once PMI bootstrap has them; a hello that came before is answered now */
  setHosts(hosts: readonly string[]): void {
    this.hosts.push(...hosts);
    for (const answer of this.helloBeforeHosts.splice(0)) answer();
  }

  private onHello(link: PeerLink, m: Message, stall: Stall | undefined): void {
    const p = (m.payload ?? {}) as { rank?: number; version?: number; uuid?: string; hostname?: string; status?: string };
    const rank = link.peerName === '*' ? Number(p.rank) : Number(link.peerName);
    const refuse = (text: string) => {
      this.log(LogLevel.err, `overlay.hello from rank ${p.rank}: ${text}`);
      link.send(control('hello', undefined, Errno.EPROTO, text));
      link.close();
    };
    if (p.rank !== rank || !this.children.has(rank)) return refuse(`rank ${p.rank} is not a child of rank ${this.rank}: mismatched config?`);
    if (p.hostname !== this.hostOf(rank)) return refuse(`${this.hostOf(rank)} is configured as rank ${rank}, not ${String(p.hostname)}: mismatched config?`);
    if (typeof p.version !== 'number' || p.version >> 8 !== VERSION >> 8) {
      const v = (n: number) => `${n >> 16}.${(n >> 8) & 0xff}.${n & 0xff}`;
      return refuse(`client (${v(Number(p.version))}) version mismatched with server (${v(VERSION)})`);
    }
    if (typeof p.uuid !== 'string') return refuse('malformed hello');
    if (S[this.state] >= S.cleanup) return refuse('broker is shutting down');
    const c = this.children.get(rank)!;
    if (c.link?.isOpen) {
      this.log(LogLevel.err, `${this.hostOf(rank)} (rank ${rank}) reconnected: marking the old connection lost`);
      this.lose(c, 'lost connection', false);
    }
    c.uuid = p.uuid;
    c.link = link;
    c.leaving = false;
    c.error = undefined;
    c.stall = stall;
    c.graceAt = Date.now();
    this.setTorpid(c, false);
    this.byUuid.set(p.uuid!, c);
    this.setChild(c, 'full', (p.status as PeerStatus) ?? 'partial');
    link.onMessage = (msg) => this.fromChild(c, link, msg);
    link.onClose = (why) => {
      if (c.link === link) this.lose(c, why === 'Connection timed out' ? why : 'lost connection', true);
    };
    this.log(LogLevel.debug, `accepting connection from ${this.hostOf(rank)} (rank ${rank}) status ${p.status ?? 'full'}`);
    this.sendOn(link, rank, control('hello', { uuid: this.broker.uuid }));
    this.sendOn(link, rank, control('state', { state: S[this.state] }));
  }

  private fromChild(c: Child, link: PeerLink, m: Message): void {
    this.traceIn(c.rank, m);
    if (m.type !== MsgType.Control) {
      this.fromPeer(m, c.tracked, false);
      return;
    }
    switch (m.topic) {
      case 'status': {
        const ck = controlPayload('OverlayStatusControl', m.payload);
        if (!ck.ok) {
          this.log(LogLevel.err, `overlay.status from ${this.hostOf(c.rank)} (rank ${c.rank}): malformed: ${ck.why}`);
          break;
        }
        const p = ck.value;
        c.online = new Set(p.online ? idset.decode(p.online) : []);
        c.subtreeTorpid = new Set(p.torpid ? idset.decode(p.torpid) : []);
        this.setChild(c, 'full', p.status ?? c.subtree, true);
        break;
      }
      case 'goodbye':
        c.leaving = true;
        c.online = new Set();
        c.subtreeTorpid = new Set();
        c.torpid = false;
        this.failTracked(c.tracked);
        this.setChild(c, 'offline', 'offline');
        link.onClose = () => {};
        // Only now may the child close: until we had read its goodbye, a close
        // (or a reset that ends our reading early) would look like a failure.
        this.sendOn(link, c.rank, control('goodbye'));
        this.log(LogLevel.debug, `${this.hostOf(c.rank)} (rank ${c.rank}) said goodbye`);
        break;
    }
  }

  /**
   * `overlay.disconnect-subtree` (flux overlay disconnect): tell a connected
   * child to drop us and count it lost now, as if it had failed; its own
   * subtree goes with it (a broker that loses its parent exits). Throws
   * Flux's errors for a rank that is not a child, or one not online.
   */
  disconnectChild(rank: number): void {
    const c = this.children.get(rank);
    if (c === undefined) throw new FluxError(Errno.ENOENT, "requested rank is not this broker's direct child");
    if (!c.link?.isOpen || c.leaving) throw new FluxError(Errno.EINVAL, `rank ${rank} is already ${c.status}`);
    this.sendOn(c.link, c.rank, control('disconnect'));
    const others = this.topo.descendants(rank);
    this.log(LogLevel.err, `${this.hostOf(rank)} (rank ${rank}) disconnected by request${others > 0 ? ` and severed contact with ${others} other nodes` : ''}`);
    this.lose(c, 'administrative disconnect', false);
  }

  /** Drop the link to the parent as lost (overlay.disconnect-parent): the broker leaves as on any lost parent. */
  disconnectParent(why: string): void {
    if (this.topo.parentOf(this.rank) === undefined) throw new FluxError(Errno.EINVAL, 'rank 0 has no parent');
    if (this.parentLost !== undefined) throw new FluxError(Errno.EINVAL, `the parent is already lost (${this.parentLost})`);
    this.onParentLost(why);
  }

  private lose(c: Child, error: string, logIt: boolean): void {
    const link = c.link;
    c.link = undefined;
    link?.close();
    c.online = new Set();
    c.subtreeTorpid = new Set();
    c.torpid = false;
    c.stall = undefined;
    c.error = error;
    if (logIt) this.log(LogLevel.err, `${this.hostOf(c.rank)} (rank ${c.rank}) failed`);
    // Re-evaluate (and announce the new online set) before failing the requests
    // in flight, so nothing is scheduled onto the lost ranks in reaction to those failures.
    this.setChild(c, 'lost', 'lost');
    this.failTracked(c.tracked);
  }

  /** Child c is connected (`full` = link ok) or not; record its subtree report and re-evaluate. */
  private setChild(c: Child, link: PeerStatus, subtree: PeerStatus, soon = false): void {
    const st: PeerStatus = link === 'full' ? (subtree === 'full' ? 'full' : subtree === 'offline' ? 'partial' : subtree) : link;
    if (st !== c.status) c.since = monoMs();
    c.status = st;
    c.subtree = subtree;
    if (soon) this.changedSoon();
    else this.changed();
  }

  /**
   * A child's report: re-evaluate once the reports that came together are in
   * (when a thousand brokers join, one pass per turn instead of one per report).
   */
  private changedSoon(): void {
    if (this.changePending) return;
    this.changePending = true;
    setImmediate(() => {
      this.changePending = false;
      this.changed();
    });
  }
  private changePending = false;

  private computeStatus(): PeerStatus {
    let word: PeerStatus = 'full';
    for (const c of this.children.values()) {
      if (c.status === 'lost' || c.status === 'degraded') return 'degraded';
      if (c.status === 'offline' || c.status === 'partial') word = 'partial';
    }
    return word;
  }

  private computeOnline(): Set<number> {
    const s = new Set<number>();
    if (S[this.state] >= S.quorum && S[this.state] < S.goodbye) s.add(this.rank);
    for (const c of this.children.values()) for (const r of c.online) s.add(r);
    return s;
  }

  /** Torpid ranks of our subtree: a torpid child with all it routes to, and what the others report. */
  private computeTorpid(): Set<number> {
    const s = new Set<number>();
    for (const c of this.children.values()) {
      if (c.torpid) {
        s.add(c.rank);
        for (const r of c.online) s.add(r);
      } else for (const r of c.subtreeTorpid) s.add(r);
    }
    return s;
  }

  /** Something about our subtree changed: recompute, report up, wake waiters. */
  private changed(): void {
    const word = this.computeStatus();
    if (word !== this.statusWord) {
      this.statusWord = word;
      this.statusSince = monoMs();
    }
    const before = this.online;
    this.online = this.computeOnline();
    const torpidBefore = idset.encode([...this.torpidRanks].sort((a, b) => a - b));
    this.torpidRanks = this.computeTorpid();
    const torpid = idset.encode([...this.torpidRanks].sort((a, b) => a - b));
    if (this.rank === 0) {
      const gone = [...before].filter((r) => !this.online.has(r));
      if (gone.length > 0 || [...this.online].some((r) => !before.has(r)) || torpid !== torpidBefore) this.announce();
      if (gone.length > 0 && (this.state === 'run' || this.state === 'cleanup')) {
        const hosts = hostlist.compress(gone.map((r) => this.hostOf(r)));
        this.broker.log(LogLevel.err, 'broker', `dead to Flux: ${hosts} (rank ${idset.encode(gone)})`);
      }
    } else {
      const report = JSON.stringify([word, idset.encode(this.online), torpid]);
      if (report !== this.reported && this.parentLink?.isOpen && !this.leaving) {
        this.reported = report;
        this.sendOn(this.parentLink, this.parentRank, control('status', { status: word, online: idset.encode(this.online), torpid }));
      }
    }
    for (const w of [...this.waiters]) w();
  }

  /**
   * Rank 0: publish overlay.online / overlay.torpid once the changes of this
   * turn of the loop are in (modules that track liveness, e.g. resource, then
   * react at once instead of polling). While a thousand brokers join, one
   * event per turn instead of one per broker reaches every rank.
   */
  private announce(): void {
    if (this.announcing) return;
    this.announcing = true;
    setImmediate(() => {
      this.announcing = false;
      const online = idset.encode([...this.online].sort((a, b) => a - b));
      const torpid = idset.encode([...this.torpidRanks].sort((a, b) => a - b));
      if (online !== this.announced.online) {
        this.logOnline();
        void this.broker.publish('overlay.online', { members: online }).catch(() => {});
      }
      if (torpid !== this.announced.torpid) void this.broker.publish('overlay.torpid', { members: torpid }).catch(() => {});
      this.announced = { online, torpid };
    });
  }
  private announcing = false;
  private announced = { online: '', torpid: '' };

  /**
   * Rank 0's `online: HOSTS (ranks IDSET)` at info, as Flux logs each change of
   * the online set up to the shutdown (a singleton: tree-setup.ts singletonTree);
   * at most once a turn (announce), and before quorum-full.
   */
  private logOnline(): void {
    const ranks = [...this.online].sort((a, b) => a - b);
    const online = idset.encode(ranks);
    if (online === this.loggedOnline || S[this.state] > S.run) return;
    this.loggedOnline = online;
    this.broker.log(LogLevel.info, 'broker', `online: ${hostlist.compress(ranks.map((r) => this.hostOf(r)))} (ranks ${online})`);
  }
  private loggedOnline = '';

  /** Resolve when pred() holds, reject when fail() returns a reason. */
  private until(pred: () => boolean, fail: () => string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const why = fail();
        if (why !== undefined) {
          this.waiters.delete(check);
          reject(new Error(why));
        } else if (pred()) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  get onlineRanks(): ReadonlySet<number> {
    return this.online;
  }

  /** ranks of our subtree that are torpid (the `broker.torpid` group at rank 0) */
  get torpidSet(): ReadonlySet<number> {
    return this.torpidRanks;
  }

  get status(): PeerStatus {
    return this.statusWord;
  }

  get statusDuration(): number {
    return (monoMs() - this.statusSince) / 1000;
  }

  childInfo(): Array<{ rank: number; status: PeerStatus; since: number; error?: string; connected: boolean; torpidSince?: number }> {
    return [...this.children.values()].map((c) => ({
      rank: c.rank,
      status: c.status,
      since: c.since,
      error: c.error,
      connected: c.link?.isOpen === true && !c.leaving,
      ...(c.torpid ? { torpidSince: c.torpidSince } : {}),
    }));
  }

  /* --------------------------------------------------------------- liveness */

  /** Check every tick: silent children become torpid (or not), stalled links are lost. */
  private startLiveness(): void {
    if (this.livenessTimer) return;
    const { torpidMaxMs, tcpUserTimeoutMs } = this.liveness;
    const limits = [torpidMaxMs, tcpUserTimeoutMs].filter((x) => x > 0 && Number.isFinite(x));
    if (limits.length === 0) return;
    const tickMs = Math.min(1000, Math.max(50, Math.min(...limits) / 4));
    this.lastTick = Date.now();
    this.livenessTimer = setInterval(() => this.livenessTick(tickMs), tickMs);
    this.livenessTimer.unref();
  }

  private livenessTick(tickMs: number): void {
    const now = Date.now();
    // Our own loop was blocked: the peers' frames may sit unread; do not blame them.
    const late = now - this.lastTick > 2 * tickMs + 500;
    this.lastTick = now;
    const { torpidMaxMs, tcpUserTimeoutMs } = this.liveness;
    if (this.parentStall && this.parentLink?.isOpen && this.parentLost === undefined) {
      if (late) this.parentStall.forgive(now);
      else if (tcpUserTimeoutMs > 0 && this.parentStall.stalledFor(now) >= tcpUserTimeoutMs) {
        this.log(LogLevel.err, `parent took nothing sent to it for ${formatC(tcpUserTimeoutMs / 1000)} (tbon.tcp_user_timeout)`);
        this.onParentLost('Connection timed out');
        return;
      }
    }
    for (const c of this.children.values()) {
      const link = c.link;
      if (!link?.isOpen || c.leaving) continue;
      if (late) {
        // forgive silence we may have caused, but only news from it ends torpid
        if (!c.torpid) c.graceAt = now;
        c.stall?.forgive(now);
        continue;
      }
      if (tcpUserTimeoutMs > 0 && c.stall && c.stall.stalledFor(now) >= tcpUserTimeoutMs) {
        this.log(
          LogLevel.err,
          `${this.hostOf(c.rank)} (rank ${c.rank}) took nothing sent to it for ${formatC(tcpUserTimeoutMs / 1000)} (tbon.tcp_user_timeout): disconnecting`,
        );
        this.lose(c, 'Connection timed out', true);
        continue;
      }
      const silent = now - Math.max(link.lastRecv, c.graceAt);
      const torpid = torpidMaxMs > 0 && (c.torpid ? link.lastRecv <= c.torpidSince : silent >= torpidMaxMs);
      if (torpid && S[this.state] >= S.shutdown) {
        // we wait for our children to leave before we can: one that cannot answer must not hold us for ever
        this.log(LogLevel.err, `${this.hostOf(c.rank)} (rank ${c.rank}) is unresponsive during shutdown: disconnecting`);
        this.lose(c, 'unresponsive during shutdown', true);
        continue;
      }
      if (torpid !== c.torpid) {
        if (torpid) this.log(LogLevel.err, `broker on ${this.hostOf(c.rank)} (rank ${c.rank}) has been unresponsive for ${formatC(silent / 1000)}`);
        else this.log(LogLevel.err, `broker on ${this.hostOf(c.rank)} (rank ${c.rank}) is responsive now`);
        this.setTorpid(c, torpid);
      }
    }
  }

  private setTorpid(c: Child, torpid: boolean): void {
    if (c.torpid === torpid) return;
    c.torpid = torpid;
    c.torpidSince = Date.now();
    this.changed();
  }

  /* ------------------------------------------------------------- child side */

  /** Connect to the parent, retrying while it is not there yet (parent-connect.ts), then say hello. */
  private async connectParent(): Promise<void> {
    if (this.dialParent) {
      await this.helloOver(await this.dialParent(), undefined);
      this.reported = '';
      this.changed();
      return;
    }
    const p = this.topo.parentOf(this.rank)!;
    const warnSecs = this.warnEverySecs();
    await connectParent({
      uri: this.parentUri!,
      parentName: `${this.hostOf(p)} (rank ${p})`,
      attemptTimeoutMs: (fsd.tryParse(this.broker.attrs.get('tbon.connect_timeout') ?? '30s') ?? 30) * 1000,
      warnEveryMs: warnSecs === undefined ? undefined : warnSecs * 1000,
      log: (sev, text) => this.log(sev, text),
      signal: this.connectAbort.signal,
      handshake: (sock) => this.helloParent(sock),
    });
    this.reported = '';
    this.changed();
  }

  private async helloParent(sock: net.Socket): Promise<void> {
    const link = await secureConnect(sock, this.keys, this.parentKey!, this.linkOpts);
    await this.helloOver(link, new SendStall(sock));
  }

  /** Say hello on a fresh link to the parent; it is our parent link once answered. */
  private async helloOver(link: PeerLink, stall: Stall | undefined): Promise<void> {
    const hello = await new Promise<Message>((resolve, reject) => {
      link.onMessage = (m) => {
        if (m.type !== MsgType.Control || m.topic !== 'hello') return;
        if (m.errnum === 0) {
          const c = controlPayload('OverlayHelloAnswer', m.payload);
          if (!c.ok) {
            link.close();
            reject(new Error(`overlay.hello: malformed answer: ${c.why}`));
            return;
          }
          // Switch handlers now: the parent's next frames may be in this same chunk.
          this.parentId = c.value.uuid;
          this.parentLink = link;
          this.parentStall = stall;
          link.onMessage = (msg) => this.fromParent(msg);
          link.onClose = (why) => this.onParentLost(why);
        }
        resolve(m);
      };
      // the parent went away before answering: worth another try
      link.onClose = (why) => reject(new LinkError(`overlay.hello: ${why}`, true));
      this.sendOn(
        link,
        this.parentRank,
        control('hello', { rank: this.rank, version: VERSION, uuid: this.broker.uuid, status: this.statusWord, hostname: this.hostOf(this.rank) }),
      );
    });
    if (hello.errnum !== 0) {
      link.close();
      throw new Error(`overlay.hello: ${hello.errstr ?? 'refused'}`);
    }
  }

  private fromParent(m: Message): void {
    this.traceIn(this.parentRank, m);
    if (m.type !== MsgType.Control) {
      this.fromPeer(m, this.parentTracked, true);
      return;
    }
    if (m.topic === 'state') {
      const c = controlPayload('OverlayStateControl', m.payload);
      if (!c.ok) {
        this.log(LogLevel.err, `overlay.state from parent: malformed: ${c.why}`);
        return;
      }
      this.parentState = c.value.state;
      for (const w of [...this.waiters]) w();
    } else if (m.topic === 'disconnect') {
      // flux overlay disconnect, at our parent: said at crit, as Flux, then as any loss of the parent
      const p = this.topo.parentOf(this.rank)!;
      this.log(LogLevel.crit, `${this.hostOf(p)} (rank ${p}) sent disconnect control message`);
      this.onParentLost('disconnected by parent');
    } else if (m.topic === 'goodbye') {
      this.goodbyeAcked?.();
    }
  }

  private onParentLost(why: string): void {
    this.goodbyeAcked?.();
    if (this.parentLost !== undefined || this.leaving) return;
    const p = this.topo.parentOf(this.rank)!;
    this.parentLost = why;
    this.parentLink?.close();
    this.log(LogLevel.err, `lost parent ${this.hostOf(p)} (rank ${p}): ${why}`);
    this.failTracked(this.parentTracked);
    // Our subtree cannot outlive us: cut every child loose now.
    void this.listener?.close();
    for (const c of this.children.values()) {
      if (c.link) {
        const l = c.link;
        c.link = undefined;
        l.close();
      }
      c.online = new Set();
      c.subtreeTorpid = new Set();
      c.torpid = false;
      c.status = 'lost';
    }
    for (const w of [...this.waiters]) w();
  }

  /** A deadly signal while waiting in JOIN or QUORUM fails the wait (broker.md §2.2). */
  private watchSignals(): void {
    for (const sig of ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGALRM'] as const) {
      this.signals.once(sig, () => {
        this.interrupted = `received ${sig}`;
        this.connectAbort.abort(new Error(this.interrupted));
        for (const w of [...this.waiters]) w();
      });
    }
  }
  private interrupted: string | undefined;
  private readonly connectAbort = new AbortController();

  /* ------------------------------------------------------------------- Tree */

  async parentReady(): Promise<void> {
    this.watchSignals();
    this.startLiveness();
    if (this.rank === 0) return;
    try {
      await this.connectParent();
    } catch (e) {
      this.parentLost = (e as Error).message;
      void this.listener?.close();
      throw e;
    }
    await this.until(
      () => this.parentState === S.quorum || this.parentState === S.run,
      () => this.parentFail(),
    );
  }

  private parentFail(): string | undefined {
    if (this.interrupted !== undefined) return this.interrupted;
    if (this.parentLost !== undefined) return `lost parent: ${this.parentLost}`;
    return this.parentState >= S.cleanup ? 'parent is shutting down' : undefined;
  }

  quorum(): Promise<void> {
    if (this.rank === 0) {
      const want = this.quorumSize();
      const warn = this.quorumWarning();
      return this.until(() => this.online.size >= want, () => this.interrupted)
        .then(() => this.logOnline())
        .finally(() => clearInterval(warn));
    }
    return this.until(() => this.parentState === S.run, () => this.parentFail());
  }

  /** broker.quorum-warn in seconds (default 1m); undefined for `none` */
  private warnEverySecs(): number | undefined {
    const text = this.broker.attrs.get('broker.quorum-warn') ?? '1m';
    const secs = text === 'none' ? undefined : fsd.tryParse(text);
    return secs === undefined || !(secs > 0) || !Number.isFinite(secs) ? undefined : secs;
  }

  /** Every broker.quorum-warn (default 1m; `none`: never) name who rank 0 still waits for. */
  private quorumWarning(): NodeJS.Timeout | undefined {
    const secs = this.warnEverySecs();
    if (secs === undefined) return undefined;
    const t = setInterval(() => {
      const missing = Array.from({ length: this.size }, (_, r) => r).filter((r) => !this.online.has(r));
      if (missing.length === 0) return;
      this.broker.log(LogLevel.err, 'broker', `quorum delayed: waiting for ${hostlist.compress(missing.map((r) => this.hostOf(r)))} (rank ${idset.encode(missing)})`);
    }, secs * 1000);
    t.unref();
    return t;
  }

  private quorumSize(): number {
    const q = Number(this.broker.attrs.get('broker.quorum') ?? this.size);
    return Number.isInteger(q) && q > 0 ? Math.min(q, this.size) : this.size;
  }

  runDone(): Promise<void> {
    if (this.rank === 0) return new Promise(() => {});
    return this.until(
      () => this.parentState === S.shutdown,
      () => (this.parentLost !== undefined ? `lost parent: ${this.parentLost}` : this.parentState > S.shutdown ? 'parent left' : undefined),
    );
  }

  childrenGone(): Promise<void> {
    return this.until(
      () => [...this.children.values()].every((c) => !c.link?.isOpen || c.leaving),
      () => undefined,
    );
  }

  /** Say goodbye and wait (bounded) for the parent's answer: it has then read everything we sent, so our close is no failure. */
  async goodbye(): Promise<void> {
    if (this.rank === 0 || !this.parentLink?.isOpen || this.parentLost !== undefined) return;
    const acked = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, GOODBYE_TIMEOUT_MS);
      this.goodbyeAcked = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.sendOn(this.parentLink, this.parentRank, control('goodbye'));
    this.leaving = true;
    await acked;
  }
  private goodbyeAcked: (() => void) | undefined;

  stateChanged(s: BrokerState): void {
    this.state = s;
    for (const c of this.children.values()) if (c.link?.isOpen && !c.leaving) this.sendOn(c.link, c.rank, control('state', { state: S[s] }));
    this.changed();
  }

  async close(): Promise<void> {
    this.leaving = true;
    this.guard.close();
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
    this.parentLink?.close();
    for (const c of this.children.values()) c.link?.close();
    await this.listener?.close();
    this.listener = undefined;
  }

  /** true once the parent link is up (log forwarding may use it) */
  get parentUp(): boolean {
    return this.rank > 0 && this.parentLink?.isOpen === true && !this.leaving && this.parentLost === undefined;
  }

  /** the failure that ended our parent link, if any */
  get parentFailure(): string | undefined {
    return this.parentLost;
  }
}
