/**
 * A namespace's version (flux kvs version, wait, getroot -s, put -s): its
 * root sequence number, one more for each change or transaction the leader
 * makes in it. flux-ts never merges changes into one version (flux kvs put
 * -n changes nothing). The primary namespace's continues across a restart
 * from the one its backing store kept (backing.ts savedSeq), as Flux's does
 * from its checkpoint; any other namespace starts at 0 (namespaces.ts).
 * kvs.wait-version requests wait here until the version reaches theirs.
 */
import type { Handle, Message } from '../../kernel/api';

interface Waiter {
  version: number;
  msg: Message;
  sender: string;
}

export class Versions {
  private seq = 0;
  private waiters: Waiter[] = [];

  /** changed: called after each change (the namespace's --full watches look again) */
  constructor(
    private readonly h: Handle,
    private readonly changed?: () => void,
  ) {}

  get current(): number {
    return this.seq;
  }

  /** at load: continue from the version the store kept */
  start(seq: number): void {
    this.seq = seq;
  }

  /** a change was made: the new version, and the waiters it reaches are answered */
  bump(): number {
    const seq = ++this.seq;
    this.changed?.();
    if (this.waiters.length > 0) {
      const due = this.waiters.filter((w) => w.version <= seq);
      this.waiters = this.waiters.filter((w) => w.version > seq);
      for (const w of due) this.h.respond(w.msg, { rootseq: seq });
    }
    return seq;
  }

  /** answer msg once the version is at least `version` (at once if it is) */
  wait(version: number, msg: Message, sender: string): void {
    if (version <= this.seq) this.h.respond(msg, { rootseq: this.seq });
    else this.waiters.push({ version, msg, sender });
  }

  /** a client went away: its waits go unanswered */
  drop(sender: string): void {
    this.waiters = this.waiters.filter((w) => w.sender !== sender);
  }

  /** the namespace went away: every wait ends with errnum */
  abort(errnum: number, text: string): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) this.h.respondError(w.msg, errnum, text);
  }

  get waiting(): number {
    return this.waiters.length;
  }
}
