/**
 * Event subscriptions by topic prefix, as a Handle or a Client holds them: the
 * first callback for a prefix subscribes at the router (or the broker), the
 * last one removed unsubscribes; an event goes to every callback of every
 * prefix it starts with.
 */

export interface TopicMessage {
  topic: string;
}

export class EventSubscriptions<M extends TopicMessage> {
  private readonly byPrefix = new Map<string, Set<(m: M) => void>>();

  /** Add cb under prefix; true if it is the prefix's first (subscribe it). */
  add(prefix: string, cb: (m: M) => void): boolean {
    let s = this.byPrefix.get(prefix);
    const first = s === undefined;
    if (!s) this.byPrefix.set(prefix, (s = new Set()));
    s.add(cb);
    return first;
  }

  /** Remove cb; true if prefix has no callback left (unsubscribe it). */
  remove(prefix: string, cb: (m: M) => void): boolean {
    const s = this.byPrefix.get(prefix);
    if (!s || !s.delete(cb)) return false;
    if (s.size > 0) return false;
    this.byPrefix.delete(prefix);
    return true;
  }

  /** Whether prefix has callbacks. */
  has(prefix: string): boolean {
    return this.byPrefix.has(prefix);
  }

  /** Hand an event to the callbacks of every prefix its topic starts with. */
  dispatch(m: M): void {
    for (const [prefix, cbs] of this.byPrefix) {
      if (m.topic.startsWith(prefix)) for (const cb of [...cbs]) cb(m);
    }
  }
}
