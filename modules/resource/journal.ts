/**
 * The resource journal (RFC 44 in spirit): what happened to the instance's
 * resources since the module started — `restart`, `resource-define`,
 * `online`, `offline`, `drain`, `undrain`, `torpid`, `lively` — kept in memory
 * (the last MAX_EVENTS) and streamed by `resource.journal`: first every kept
 * event, then an empty batch that marks the end of the backlog, then each new
 * event as it is posted, until the client disconnects.
 */
import { Errno, type Handle, type Message } from '../../kernel/api';

export interface JournalEvent {
  timestamp: number;
  name: string;
  context: Record<string, unknown>;
}

/** events kept for late readers: the journal stays bounded whatever the instance does */
export const MAX_EVENTS = 1000;

export class Journal {
  private readonly events: JournalEvent[] = [];
  private readonly watchers = new Set<Message>();

  constructor(
    private readonly h: Handle,
    /** told of every event posted (rank 0 keeps some in the kvs: kvs-record.ts) */
    private readonly onPost?: (e: JournalEvent) => void,
  ) {}

  post(name: string, context: Record<string, unknown> = {}): void {
    const e = { timestamp: Date.now() / 1000, name, context };
    this.onPost?.(e);
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const w of this.watchers) this.h.respond(w, { events: [e] });
  }

  /** a streaming resource.journal request: the backlog, the end-of-backlog mark, then every new event */
  watch(msg: Message): void {
    this.h.respond(msg, { events: [...this.events] });
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
