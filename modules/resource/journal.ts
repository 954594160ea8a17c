/**
 * The resource journal (RFC 44 in spirit): what happened to the instance's
 * resources since the module started — `restart`, `resource-define`,
 * `online`, `offline`, `drain`, `undrain`, `torpid`, `lively` — kept in memory
 * (the last `[resource] journal-max`, 100000 by default) and streamed by
 * `resource.journal`: first every kept event (in batches of BATCH), then an
 * empty batch that marks the end of the backlog, then each new event as it is
 * posted, until the client disconnects.
 */
import { Errno, type Handle, type Message } from '../../kernel/api';

export interface JournalEvent {
  timestamp: number;
  name: string;
  context: Record<string, unknown>;
}

/** events kept for late readers (Flux's default of `[resource] journal-max`): the journal stays bounded whatever the instance does */
const DEFAULT_JOURNAL_MAX = 100000;
/** the backlog goes out in responses of this many events */
const BATCH = 1000;

export class Journal {
  /** the kept events are events[head..] (dropped ones are cut off in bulk, not one by one) */
  private events: JournalEvent[] = [];
  private head = 0;
  private readonly watchers = new Set<Message>();

  constructor(
    private readonly h: Handle,
    /** told of every event posted (rank 0 keeps some in the kvs: kvs-record.ts) */
    private readonly onPost?: (e: JournalEvent) => void,
    private readonly max = DEFAULT_JOURNAL_MAX,
  ) {}

  post(name: string, context: Record<string, unknown> = {}): void {
    const e = { timestamp: Date.now() / 1000, name, context };
    this.onPost?.(e);
    this.events.push(e);
    if (this.events.length - this.head > this.max) this.head++;
    if (this.head > BATCH && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    for (const w of this.watchers) this.h.respond(w, { events: [e] });
  }

  /** a streaming resource.journal request: the backlog, the end-of-backlog mark, then every new event */
  watch(msg: Message): void {
    for (let i = this.head; i < this.events.length; i += BATCH) this.h.respond(msg, { events: this.events.slice(i, Math.min(i + BATCH, this.events.length)) });
    this.h.respond(msg, { events: [] });
    this.watchers.add(msg);
  }

  /** the client went away: forget its watches */
  disconnect(sender: string): void {
    for (const w of [...this.watchers]) if ((w.route[0] ?? '') === sender) this.watchers.delete(w);
  }

  /** the module stops: end every stream */
  close(): void {
    for (const w of this.watchers) this.h.respondError(w, Errno.ENODATA);
    this.watchers.clear();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}
