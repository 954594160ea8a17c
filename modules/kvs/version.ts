/**
 * The store's version (flux kvs version, wait, getroot -s, put -s): its root
 * sequence number, 0 when the module starts and one more for each change or
 * transaction the leader makes. flux-ts never merges changes into one
 * version (flux kvs put -n changes nothing). It is not kept across a restart.
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

  constructor(private readonly h: Handle) {}

  get current(): number {
    return this.seq;
  }

  /** a change was made: the new version, and the waiters it reaches are answered */
  bump(): number {
    const seq = ++this.seq;
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

  get waiting(): number {
    return this.waiters.length;
  }
}
