/**
 * Eventlog watchers: streaming `kvs.watch` requests by key, and by the sender that
 * made them (so a disconnect, a `kvs.stream-cancel` naming the stream's matchtag
 * or a `kvs.watch-cancel` naming its tag ends them).
 */
import { Errno, type Handle, type Message } from '../../kernel/api';
import type { EventEntry, Store } from './store';
import { strerror } from '../../lib/errno';

/** What a value watch of key fails with once the change ahead removes it (errnum), or undefined if key holds no value. */
function valueGone(store: Store, key: string, errnum: number): { errnum: number; text: string } | undefined {
  return store.kind(key) === 'value' ? { errnum, text: `${key}: ${strerror(errnum)}` } : undefined;
}

export interface Watch {
  key: string;
  msg: Message;
  sender: string;
  tag?: string;
  /** the watch asked for every later put of a value (`values: true`) */
  values?: boolean;
  /**
   * `full: true` (flux kvs get --watch --full): the key is looked up again
   * after every change of the namespace, so a change to a directory above it
   * (replaced, copied over, removed) is heard too; `last` is the value last
   * sent (JSON), undefined before the key exists.
   */
  full?: boolean;
  last?: string;
}

export class Watchers {
  private readonly byKey = new Map<string, Set<Watch>>();
  /** the --full watches, looked at after every change (few: one per flux kvs get --watch --full) */
  private readonly full = new Set<Watch>();
  private readonly bySender = new Map<string, Set<Watch>>();
  /** watches their clients cancelled (`flux module stats kvs`: cancelled) */
  cancelled = 0;

  constructor(private readonly h: Handle) {}

  get count(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  add(w: Watch): void {
    if (w.full === true) this.full.add(w);
    let k = this.byKey.get(w.key);
    if (!k) this.byKey.set(w.key, (k = new Set()));
    k.add(w);
    let s = this.bySender.get(w.sender);
    if (!s) this.bySender.set(w.sender, (s = new Set()));
    s.add(w);
  }

  private remove(w: Watch): void {
    this.full.delete(w);
    const k = this.byKey.get(w.key);
    k?.delete(w);
    if (k && k.size === 0) this.byKey.delete(w.key);
    const s = this.bySender.get(w.sender);
    s?.delete(w);
    if (s && s.size === 0) this.bySender.delete(w.sender);
  }

  /** Send appended entries to every watcher of key. */
  notify(key: string, entries: readonly EventEntry[]): void {
    const k = this.byKey.get(key);
    if (!k) return;
    for (const w of k) this.h.respond(w.msg, { entries });
  }

  /** A value was put: its watchers get it (a watch waiting for an eventlog gets nothing). */
  notifyValue(key: string, value: unknown): void {
    const k = this.byKey.get(key);
    if (!k) return;
    for (const w of k) if (w.values === true && w.full !== true) this.h.respond(w.msg, { value });
  }

  /**
   * After a change: each --full watch's key looked up again; a new value is
   * sent, a key gone fails the watch (ENOENT; EISDIR for a directory), as
   * Flux's full-lookup watch.
   */
  checkFull(store: Store): void {
    // every change of the namespace comes here: nothing to do (and nothing made) without a --full watch
    if (this.full.size === 0) return;
    for (const w of [...this.full]) {
      if (store.has(w.key)) {
        const v = store.get(w.key);
        const json = JSON.stringify(v);
        if (json === w.last) continue;
        w.last = json;
        this.h.respond(w.msg, { value: v });
      } else {
        const dir = store.isDir(w.key);
        // not there yet: a --waitcreate watch waits on
        if (w.last === undefined && !dir) continue;
        this.remove(w);
        const errnum = dir ? Errno.EISDIR : Errno.ENOENT;
        this.h.respondError(w.msg, errnum, `${w.key}: ${strerror(errnum)}`);
      }
    }
  }

  /**
   * End every watch of key (eventlog closed or removed). `gone`: the key held
   * a value that was removed or replaced by a directory; a watch of its values
   * fails with it, as Flux's (`flux kvs get --watch` then says so and exits 1)
   * instead of ending as if nothing happened.
   */
  end(key: string, gone?: { errnum: number; text: string }): void {
    const k = this.byKey.get(key);
    if (!k) return;
    for (const w of [...k]) {
      // a --full watch is answered by checkFull once the change is made
      if (w.full === true) continue;
      this.remove(w);
      if (gone && w.values === true) this.h.respondError(w.msg, gone.errnum, gone.text);
      else this.h.respondError(w.msg, Errno.ENODATA);
    }
  }

  /** nobody watches anything here: a change need not look for watches to end */
  get none(): boolean {
    return this.byKey.size === 0;
  }

  /**
   * The end of key's watches for a change about to be made, looked at now and
   * called once it is made (undefined: nobody watches key). errnum: the
   * change removes (ENOENT) or makes a directory of (EISDIR) what key holds;
   * a watch of its values then fails with it; without, they end (ENODATA).
   */
  ending(store: Store, key: string, errnum?: number): (() => void) | undefined {
    if (!this.byKey.has(key)) return undefined;
    const gone = errnum === undefined ? undefined : valueGone(store, key, errnum);
    return () => this.end(key, gone);
  }

  /** key's watches and those of every key below it, for a change about to remove it (errnum) or replace it */
  endingsBelow(store: Store, key: string, errnum?: number): Array<() => void> {
    if (this.none) return [];
    const below = errnum === undefined ? undefined : Errno.ENOENT;
    const out = store.keys(key).map((k) => this.ending(store, k, below));
    out.push(this.ending(store, key, errnum));
    return out.filter((e): e is () => void => e !== undefined);
  }

  /** keys (values or eventlogs on a changed key's path) are about to become directories: their watches end (a value's: EISDIR) */
  shadowed(store: Store, keys: readonly string[]): void {
    for (const k of keys) this.ending(store, k, Errno.EISDIR)?.();
  }

  /** End every watch with errnum (the namespace went away). */
  endAll(errnum: number, text: string): void {
    for (const k of [...this.byKey.values()]) {
      for (const w of [...k]) {
        this.remove(w);
        this.h.respondError(w.msg, errnum, text);
      }
    }
  }

  /** Drop a sender's watches (disconnect), or only the one with tag. */
  cancel(sender: string, tag?: string): void {
    const s = this.bySender.get(sender);
    if (!s) return;
    for (const w of [...s]) {
      if (tag !== undefined && w.tag !== tag) continue;
      this.remove(w);
      if (tag !== undefined) {
        this.cancelled++;
        this.h.respondError(w.msg, Errno.ENODATA);
      }
    }
  }

  /** `kvs.stream-cancel`: end the sender's watch whose request had matchtag (ENODATA). */
  cancelStream(sender: string, matchtag: number): void {
    for (const w of this.bySender.get(sender) ?? []) {
      if (w.msg.matchtag !== matchtag) continue;
      this.remove(w);
      this.cancelled++;
      this.h.respondError(w.msg, Errno.ENODATA);
      return;
    }
  }
}
