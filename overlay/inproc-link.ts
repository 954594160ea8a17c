/**
 * A link between two brokers that share one process (flux start
 * --test-in-process): no socket, no encryption, no handshake — both ends are
 * the same program of the same owner, so there is nobody to keep out. What a
 * socket link gives the overlay is kept: each direction delivers in order and
 * later (never inside send()), a message is the receiver's own copy (envelope
 * and route stack; the payload as JSON would carry it, within the frame
 * limit), and a close reaches the peer after everything sent before it.
 *
 * One queue (the Fabric) serves every link of the process: a single
 * setImmediate drains it, so a message crossing ten tree levels costs ten
 * queue steps, not ten turns of the event loop. A drain yields to I/O after
 * DRAIN_MAX messages.
 */
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';
import { MAX_FRAME } from '../kernel/message/limits';
import type { Message } from '../kernel/message/message';
import type { PeerLink } from './peer-link';

/** messages delivered per drain before the loop gets a turn */
const DRAIN_MAX = 20_000;
const CLOSED = Symbol('closed');

type Item = Message | typeof CLOSED;

/** Payloads already in wire form: shared by every broker they reach (as one broker's subscribers share one). */
const wireForm = new WeakSet<object>();

/**
 * The payload as the far side would decode it from JSON (dates as text,
 * undefined members gone), copied once where it enters the fabric and then
 * shared down the tree.
 */
export function wirePayload(m: Message): unknown {
  const p = m.payload;
  if (p === undefined || p === null) return p;
  if (typeof p !== 'object') {
    if (typeof p === 'string' && p.length > MAX_FRAME) tooBig(m, p.length);
    return p;
  }
  if (wireForm.has(p)) return p;
  // one message sent to each child in turn (an event going down) is copied once
  if (m === last.from && p === last.payload) return last.to;
  const text = JSON.stringify(p);
  if (text.length > MAX_FRAME) tooBig(m, text.length);
  const copy = JSON.parse(text) as unknown;
  if (copy !== null && typeof copy === 'object') wireForm.add(copy);
  if (last.from === undefined) queueMicrotask(() => (last = { from: undefined, payload: undefined, to: undefined }));
  last = { from: m, payload: p, to: copy };
  return copy;
}

/** the copy made in this synchronous run (a sender may change its object later) */
let last: { from: Message | undefined; payload: unknown; to: unknown } = { from: undefined, payload: undefined, to: undefined };

function tooBig(m: Message, n: number): never {
  throw new FluxError(Errno.EMSGSIZE, `${m.topic}: message of ${n} bytes exceeds the maximum of ${MAX_FRAME}`);
}

export class Fabric {
  private queue: Array<[InprocLink, Item]> = [];
  private head = 0;
  private scheduled = false;
  /** messages carried since the fabric was made */
  carried = 0;

  post(to: InprocLink, item: Item): void {
    this.queue.push([to, item]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    let n = 0;
    while (this.head < this.queue.length && n < DRAIN_MAX) {
      const [to, item] = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as [InprocLink, Item];
      n++;
      to.receive(item);
    }
    this.carried += n;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      if (this.head > 4096) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }
}

export class InprocLink implements PeerLink {
  onMessage: (m: Message) => void = () => {};
  onClose: (why: string) => void = () => {};
  private peer!: InprocLink;
  private open = true;

  private constructor(
    private readonly fabric: Fabric,
    readonly peerName: string,
  ) {}

  /** Both ends of a new link: [the child's end, the parent's end]. */
  static pair(fabric: Fabric, childName: string, parentName: string): [InprocLink, InprocLink] {
    const c = new InprocLink(fabric, parentName);
    const p = new InprocLink(fabric, childName);
    c.peer = p;
    p.peer = c;
    return [c, p];
  }

  /** A peer in this process is never silent while it lives: loss is a close. */
  get lastRecv(): number {
    return Date.now();
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(m: Message): boolean {
    if (!this.open) return false;
    const copy: Message = { ...m, route: m.route.slice(), payload: wirePayload(m) };
    if (copy.errstr === undefined) delete copy.errstr;
    this.fabric.post(this.peer, copy);
    return true;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.fabric.post(this.peer, CLOSED);
  }

  /** what the fabric delivers to this end */
  receive(item: Item): void {
    if (!this.open) return;
    if (item === CLOSED) {
      this.open = false;
      this.onClose('lost connection');
      return;
    }
    this.onMessage(item);
  }
}
