/**
 * The KVS store: keys map to a JSON value (kept serialized as one flat string,
 * so stored objects are compact and never aliased) or to an RFC 18 eventlog
 * (JSON lines text, append-only, optionally closed). No per-key closures or
 * timers. Keys are dotted paths in a tree of directories.
 */
import { Errno, FluxError, einval, enoent } from '../../kernel/api';
import { Packer } from './pack';
import { intern, isDir, isLinkNode, isLogNode, isPacked, type Dir, type LinkEntry, type LogEntry, type Node, type Packed, type Plain } from './tree';

export interface EventEntry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

const KEY_RE = /^[^.\s][^\s]*$/;
/** the longest key (LMDB keys are at most 1978 bytes, and a key is not a place for data) */
export const KEY_MAX = 1024;

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key) || key.endsWith('.') || key.includes('..')) {
    throw einval(`invalid key ${JSON.stringify(key)}`);
  }
  if (Buffer.byteLength(key) > KEY_MAX) throw einval(`key is longer than ${KEY_MAX} bytes`);
  return key;
}

/** Validate and normalise eventlog entries (timestamp defaults to now). */
export function checkEntries(entries: unknown): EventEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) throw einval('entries must be a non-empty array');
  return entries.map((e: unknown) => {
    const o = e as Partial<EventEntry> | null;
    if (!o || typeof o !== 'object' || typeof o.name !== 'string' || o.name.length === 0 || /\s/.test(o.name)) {
      throw einval(`invalid eventlog entry ${JSON.stringify(e)}`);
    }
    const ts = typeof o.timestamp === 'number' && o.timestamp > 0 ? o.timestamp : Date.now() / 1000;
    const out: EventEntry = { timestamp: ts, name: o.name };
    if (o.context !== undefined) {
      if (typeof o.context !== 'object' || o.context === null || Array.isArray(o.context)) {
        throw einval(`invalid eventlog context in ${JSON.stringify(e)}`);
      }
      out.context = o.context;
    }
    return out;
  });
}

export function parseLog(text: string): EventEntry[] {
  const out: EventEntry[] = [];
  for (const line of text.split('\n')) if (line.length > 0) out.push(JSON.parse(line) as EventEntry);
  return out;
}

/** links followed in one lookup before it is refused (a loop) */
const MAX_LINKS = 10;
/** packed directories kept unpacked after a read (flux kvs dir -R, then gets of its keys) */
const VIEWS = 8;

/** a flat copy of a string (appends and JSON.stringify leave ropes of small pieces) */
const flat = (s: string): string => (s.length < 16 ? s : Buffer.from(s, 'utf8').toString('utf8'));

/**
 * The store is a tree of directories keyed by path component, so removing a
 * job's directory (`job.<id>`, purge) is O(its keys), and full key strings are
 * not kept for every entry.
 */
export class Store {
  private readonly root: Dir = new Map();
  private count = 0;
  /** packs and unpacks cold directories (pack.ts) */
  private readonly packer = new Packer();
  /** ticks of the cold clock (tick()): a directory stamped with one of the last two is not cold */
  private epoch = 2;
  /** directories to pack once cold (hint()), by key, with the epoch they were queued in (oldest first) */
  private readonly cold = new Map<string, number>();
  /** the last packed directories read, unpacked (LRU) */
  private readonly views = new Map<Packed, Dir>();
  /** while a transaction is open (begin): how to undo each change made since, newest last */
  private journal: Array<() => void> | undefined;

  /**
   * Open a transaction: every change from now on can be undone by
   * rollback() until end() (kvs.commit: all or nothing).
   */
  begin(): void {
    const count = this.count;
    this.journal = [() => (this.count = count)];
  }

  /** undo every change since begin(), newest first */
  rollback(): void {
    const j = this.journal ?? [];
    this.journal = undefined;
    for (let i = j.length - 1; i >= 0; i--) j[i]!();
  }

  /** keep the changes since begin() */
  end(): void {
    this.journal = undefined;
  }

  /** d.set / d.delete, undoable inside a transaction */
  private setChild(d: Dir, name: string, n: Node | undefined): void {
    if (this.journal) {
      const old = d.get(name);
      this.journal.push(() => (old === undefined ? d.delete(name) : d.set(name, old)));
    }
    if (n === undefined) d.delete(name);
    else d.set(intern(name), n);
  }

  /** before an eventlog is changed in place: undoable inside a transaction */
  private touchLog(n: LogEntry): void {
    if (!this.journal) return;
    const { text, closed, n: count } = n;
    this.journal.push(() => Object.assign(n, { text, closed, n: count }));
  }

  /** number of values and eventlogs */
  get size(): number {
    return this.count;
  }

  /** the node at key; links on the way are followed, the last one too unless `noFollow` */
  /**
   * A packed directory on the way is read unpacked (a view, not in the tree);
   * with `write` it is unpacked in the tree, and every directory on the way
   * is stamped as written now (not cold).
   */
  private lookup(key: string, noFollow = false, depth = 0, write = false): Plain | undefined {
    let n: Plain | undefined = this.root;
    const parts = key.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (isLinkNode(n)) n = this.follow(n, depth, write);
      if (!isDir(n)) return undefined;
      if (write) n.w = this.epoch;
      n = this.child(n, parts[i]!, write, parts, i);
    }
    return isLinkNode(n) && !noFollow ? this.follow(n, depth, write) : n;
  }

  private follow(l: LinkEntry, depth: number, write: boolean): Plain | undefined {
    if (depth >= MAX_LINKS) throw new FluxError(Errno.ELOOP, `${l.target}: Too many levels of symbolic links`);
    return this.lookup(l.target, false, depth + 1, write);
  }

  /** d's child name, a packed one unpacked (in the tree with write: parts[0..i] is its key) */
  private child(d: Dir, name: string, write: boolean, parts: readonly string[], i: number): Plain | undefined {
    const c = d.get(name);
    if (!isPacked(c)) return c;
    if (!write) return this.view(c);
    const dir = this.views.get(c) ?? this.packer.unpack(c);
    this.views.delete(c);
    this.setChild(d, name, dir);
    // it packs again once cold
    this.hint(parts.slice(0, i + 1).join('.'));
    return dir;
  }

  /** a packed directory read: unpacked, the last few kept */
  private view(p: Packed): Dir {
    let d = this.views.get(p);
    if (d) this.views.delete(p);
    else d = this.packer.unpack(p);
    this.views.set(p, d);
    if (this.views.size > VIEWS) this.views.delete(this.views.keys().next().value!);
    return d;
  }

  /** a node of a walk: a packed directory read unpacked */
  private seen(n: Node): Plain {
    return isPacked(n) ? this.view(n) : n;
  }

  // ---------------------------------------------------------------- packing cold directories (pack.ts)

  /**
   * Keep the directory at key packed once no change has reached it for a
   * tick or two of the cold clock (job-manager: a job that became inactive).
   * A change in it later unpacks it, and it packs again once cold.
   */
  hint(key: string): void {
    this.cold.delete(key);
    this.cold.set(key, this.epoch);
    this.onHint?.();
  }

  /** told of each hint (the kvs module runs the cold clock) */
  onHint: (() => void) | undefined;

  /** the cold clock ticks (about once a second while there are hints) */
  tick(): void {
    this.epoch++;
  }

  /** directories hinted and not packed yet */
  get hinted(): number {
    return this.cold.size;
  }

  /**
   * Pack the hinted directories that went cold, oldest first, while
   * `more()` says there is time; true when due ones are left.
   */
  packCold(more: () => boolean): boolean {
    for (const [key, queued] of this.cold) {
      if (queued > this.epoch - 2) return false;
      if (!more()) return true;
      this.cold.delete(key);
      if (this.pack(key) === 'busy') this.cold.set(key, this.epoch);
    }
    return false;
  }

  /**
   * Pack the directory at key now if it is cold: 'busy' when a change
   * reached it in the last two ticks, 'big' when it is over PACK_LIMIT,
   * 'gone' when there is no such directory (or it is inside a packed one).
   */
  pack(key: string): 'packed' | 'busy' | 'big' | 'gone' {
    const parts = key.split('.');
    const leaf = parts.pop()!;
    let d: Node | undefined = this.root;
    for (const c of parts) {
      if (!isDir(d)) return 'gone';
      d = d.get(c);
    }
    if (!isDir(d)) return 'gone';
    const n = d.get(leaf);
    if (isPacked(n)) return 'packed';
    // an empty directory is not packed: it is one (unlink without recursive removes it)
    if (!isDir(n) || n.size === 0) return 'gone';
    if (n.w !== undefined && n.w > this.epoch - 2) return 'busy';
    const p = this.packer.pack(n);
    if (!p) return 'big';
    // not journaled: packing is never inside a transaction (they are synchronous)
    d.set(intern(leaf), p);
    return 'packed';
  }

  /** flux module stats --clear: the packer's counters start again from 0 */
  clearPackStats(): void {
    const s = this.packer.stats;
    s.packs = s.unpacks = s.raw = s.packed = s.dicts = 0;
  }

  /** the packer's counters, and the packed directories in the tree and their bytes */
  packStats(): { packed: number; packedBytes: number; hinted: number; packs: number; unpacks: number; views: number } {
    let packed = 0;
    let packedBytes = 0;
    const walk = (d: Dir) => {
      for (const n of d.values()) {
        if (isPacked(n)) {
          packed++;
          packedBytes += n.data.length;
        } else if (isDir(n)) walk(n);
      }
    };
    walk(this.root);
    return { packed, packedBytes, hinted: this.cold.size, packs: this.packer.stats.packs, unpacks: this.packer.stats.unpacks, views: this.views.size };
  }

  /** drop the unpacked copies of packed directories kept after reads (flux kvs dropcache); how many went */
  dropViews(): number {
    const n = this.views.size;
    this.views.clear();
    return n;
  }

  /** The directory holding key's last component (created if needed) and that component. */
  private parentOf(key: string): [Dir, string] {
    const parts = key.split('.');
    const leaf = parts.pop()!;
    let d = this.root;
    for (let i = 0; i < parts.length; i++) {
      const c = parts[i]!;
      d.w = this.epoch;
      let n = this.child(d, c, true, parts, i);
      if (!isDir(n)) {
        // a value or eventlog in the way is replaced by the directory (as Flux)
        if (n !== undefined) this.count -= countOf(n);
        this.setChild(d, c, (n = new Map()));
      }
      d = n;
    }
    d.w = this.epoch;
    return [d, leaf];
  }

  private setLeaf(key: string, node: LogEntry | LinkEntry | string): void {
    const [d, leaf] = this.parentOf(key);
    const old = d.get(leaf);
    if (old !== undefined) this.count -= countOf(old);
    this.setChild(d, leaf, node);
    this.count++;
  }

  has(key: string): boolean {
    const n = this.lookup(key);
    return n !== undefined && !isDir(n);
  }

  isLog(key: string): boolean {
    return isLogNode(this.lookup(key));
  }

  /** the values and eventlogs on key's path (a put of key replaces them by directories) */
  leafAncestors(key: string): string[] {
    const out: string[] = [];
    const parts = key.split('.');
    let n: Node | undefined = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!isDir(n)) break;
      n = this.child(n, parts[i]!, false, parts, i);
      if (n === undefined) break;
      if (!isDir(n)) out.push(parts.slice(0, i + 1).join('.'));
    }
    return out;
  }

  /** key names a directory */
  isDir(key: string): boolean {
    return isDir(this.lookup(key));
  }

  isClosed(key: string): boolean {
    const n = this.lookup(key);
    return isLogNode(n) && n.closed;
  }

  /** The value (an eventlog reads as its JSON-lines text). */
  get(key: string): unknown {
    const n = this.lookup(key);
    if (n === undefined || isDir(n) || isLinkNode(n)) throw enoent(`${key}: No such file or directory`);
    return isLogNode(n) ? n.text : (JSON.parse(n) as unknown);
  }

  entries(key: string): EventEntry[] {
    const n = this.lookup(key);
    if (n === undefined || isDir(n)) throw enoent(`${key}: No such file or directory`);
    if (!isLogNode(n)) throw einval(`${key}: not an eventlog`);
    return parseLog(n.text);
  }

  /** Set a value; returns its JSON text (what the backing store keeps). */
  put(key: string, value: unknown): string {
    if (value === undefined) throw einval(`${key}: missing value`);
    // left as JSON.stringify leaves it (a rope of a few pieces, doubling in size): flattening
    // here cost a bulk submission 5 us a job, and a read or the kvs's packing flattens it anyway
    const json = JSON.stringify(value);
    this.setLeaf(key, json);
    return json;
  }

  /**
   * Append entries; returns the text appended, its number among the log's
   * appends (1 = the log is new) and the lines.
   */
  append(key: string, entries: readonly EventEntry[]): { text: string; n: number } {
    const text = entries.map((e) => JSON.stringify(e) + '\n').join('');
    const n = this.lookup(key, true, 0, true);
    if (isLinkNode(n)) throw einval(`${key}: not an eventlog`);
    if (n === undefined || isDir(n)) {
      this.setLeaf(key, { text, closed: false, n: 1 });
      return { text, n: 1 };
    }
    if (!isLogNode(n)) throw einval(`${key}: not an eventlog`);
    if (n.closed) throw einval(`${key}: eventlog is closed`);
    this.touchLog(n);
    n.text += text;
    return { text, n: ++n.n };
  }

  /** Close an eventlog (creating an empty closed one); returns whether it was new. */
  close(key: string): boolean {
    const n = this.lookup(key, true, 0, true);
    if (isLinkNode(n)) throw einval(`${key}: not an eventlog`);
    if (n === undefined || isDir(n)) {
      this.setLeaf(key, { text: '', closed: true, n: 0 });
      return true;
    }
    if (isLogNode(n)) {
      this.touchLog(n);
      n.closed = true;
      n.text = flat(n.text);
    }
    return false;
  }

  /** A symbolic link at key to target (replacing what key held). */
  link(key: string, target: string): void {
    this.setLeaf(key, { target });
  }

  /** The target of the link at key: ENOENT when there is nothing, EINVAL when it is not a link. */
  readlink(key: string): string {
    const n = this.lookup(key, true);
    if (n === undefined) throw enoent(`${key}: No such file or directory`);
    if (!isLinkNode(n)) throw einval(`${key}: Invalid argument`);
    return n.target;
  }

  /** An empty directory at key, replacing what key held (kept when emptied again); how many keys went. */
  mkdir(key: string): number {
    const [d, leaf] = this.parentOf(key);
    const old = d.get(leaf);
    const removed = old === undefined ? 0 : countOf(old);
    this.count -= removed;
    const dir: Dir = new Map();
    dir.made = true;
    this.setChild(d, leaf, dir);
    return removed;
  }

  /** what key is, links not followed */
  kind(key: string): 'dir' | 'link' | 'log' | 'value' | undefined {
    const n = key === '' ? this.root : this.lookup(key, true);
    if (n === undefined) return undefined;
    return isDir(n) ? 'dir' : isLinkNode(n) ? 'link' : isLogNode(n) ? 'log' : 'value';
  }

  /** Below dir ('' = all): the links (key -> target) and the empty directories. */
  extras(dir: string): { links: Record<string, string>; dirs: string[] } {
    const links: Record<string, string> = {};
    const dirs: string[] = [];
    const start = dir === '' ? this.root : this.lookup(dir, true);
    if (!isDir(start)) return { links, dirs };
    const walk = (d: Dir, prefix: string) => {
      for (const [name, c] of d) {
        const k = prefix + name;
        const n = this.seen(c);
        if (isLinkNode(n)) links[k] = n.target;
        else if (isDir(n)) {
          if (n.size === 0) dirs.push(k);
          else walk(n, k + '.');
        }
      }
    };
    walk(start, dir === '' ? '' : dir + '.');
    return { links, dirs: dirs.sort() };
  }

  /**
   * dst becomes a copy of what src is (links not followed at src): a value,
   * an eventlog with its entries (open or closed), a link, or a directory
   * with everything below it. What dst held goes. Every key the copy makes
   * is checked (a longer prefix can make one too long). Returns the keys made.
   * `source`: the store src is in (another namespace's: flux kvs copy -S/-D).
   */
  copy(src: string, dst: string, source: Store = this): string[] {
    if (source === this && (dst === src || dst.startsWith(src + '.'))) throw einval(`${dst}: Invalid argument`);
    const from = source.lookup(src, true);
    if (from === undefined) throw enoent(`${src}: No such file or directory`);
    const made: string[] = [];
    const clone = (c: Node, key: string): Node => {
      const n = source.seen(c);
      if (isDir(n)) {
        const d: Dir = new Map();
        if (n.made || n.size === 0) d.made = true;
        for (const [name, c] of n) d.set(name, clone(c, `${key}.${name}`));
        return d;
      }
      checkKey(key);
      made.push(key);
      if (isLinkNode(n)) return { target: n.target };
      if (isLogNode(n)) return { text: n.text, closed: n.closed, n: n.text === '' ? 0 : 1 };
      return n;
    };
    const copied = clone(from, dst);
    const [d, leaf] = this.parentOf(dst);
    const old = d.get(leaf);
    if (old !== undefined) this.count -= countOf(old);
    this.setChild(d, leaf, copied);
    this.count += made.length;
    return made;
  }

  /**
   * What the backing store keeps for key and everything below it (links not
   * followed), as records [key, n, text] in its layout (backing.ts): an
   * eventlog's text as one chunk.
   */
  *records(key: string): Generator<[string, number, string]> {
    const n = this.lookup(key, true);
    if (n === undefined) return;
    if (isDir(n)) {
      if (n.made) yield [key, 0, 'd'];
      for (const name of [...n.keys()]) yield* this.records(`${key}.${name}`);
    } else if (isLinkNode(n)) yield [key, 0, 'L' + n.target];
    else if (isLogNode(n)) {
      yield [key, 0, n.closed ? 'c' : 'l'];
      if (n.text !== '') yield [key, n.n, n.text];
    } else yield [key, 0, 'v' + n];
  }

  // ---------------------------------------------------------------- loading (backing store records, in key order)

  /** one backing-store record [key, n, text] (backing.ts's layout: a chunk, or a header 'v' value, 'L' link, 'd' directory, 'l'/'c' eventlog) */
  loadRecord(key: string, n: number, text: string): void {
    if (n > 0) this.loadChunk(key, n, text);
    else if (text.startsWith('v')) this.loadValue(key, text.slice(1));
    else if (text.startsWith('L')) this.loadLink(key, text.slice(1));
    else if (text === 'd') this.loadDir(key);
    else this.loadLog(key, text === 'c');
  }

  loadValue(key: string, json: string): void {
    this.setLeaf(key, json);
  }

  loadLink(key: string, target: string): void {
    this.link(key, target);
  }

  loadDir(key: string): void {
    const n = this.lookup(key, true, 0, true);
    if (isDir(n)) n.made = true;
    else this.mkdir(key);
  }

  loadLog(key: string, closed: boolean): void {
    this.setLeaf(key, { text: '', closed, n: 0 });
  }

  loadChunk(key: string, n: number, text: string): void {
    const node = this.lookup(key, false, 0, true);
    if (!isLogNode(node)) return;
    node.text += text;
    node.n = Math.max(node.n, n);
  }

  /** after loading: flat strings */
  loaded(): void {
    const walk = (d: Dir) => {
      for (const v of d.values()) {
        if (isDir(v)) walk(v);
        else if (isLogNode(v)) v.text = flat(v.text);
      }
    };
    walk(this.root);
  }

  /** Remove a key, or with recursive a directory and every key below it; returns how many keys. */
  unlink(key: string, recursive: boolean): number {
    const parts = key.split('.');
    const leaf = parts.pop()!;
    const d = parts.length === 0 ? this.root : this.lookup(parts.join('.'), false, 0, true);
    if (!isDir(d)) return 0;
    const n = d.get(leaf);
    // a packed directory is never empty (it is not packed when it is)
    if (n === undefined || (isPacked(n) && !recursive) || (isDir(n) && !recursive && n.size > 0)) return 0;
    this.setChild(d, leaf, undefined);
    const removed = countOf(n);
    this.count -= removed;
    this.prune(parts);
    // an empty directory counts as one thing removed
    return Math.max(removed, 1);
  }

  /** drop directories left empty along a path */
  private prune(parts: string[]): void {
    for (let i = parts.length; i > 0; i--) {
      const d = this.lookup(parts.slice(0, i).join('.'), false, 0, true);
      if (!isDir(d) || d.size > 0 || d.made) return;
      const parent = i === 1 ? this.root : this.lookup(parts.slice(0, i - 1).join('.'), false, 0, true);
      if (isDir(parent)) this.setChild(parent, parts[i - 1]!, undefined);
    }
  }

  /** Keys directly or indirectly below a directory ('' = all), sorted. */
  keys(dir: string): string[] {
    const start = dir === '' ? this.root : this.lookup(dir, true);
    if (!isDir(start)) return [];
    const out: string[] = [];
    const walk = (d: Dir, prefix: string) => {
      for (const [name, c] of d) {
        const k = prefix + name;
        const n = this.seen(c);
        if (isDir(n)) walk(n, k + '.');
        else out.push(k);
      }
    };
    walk(start, dir === '' ? '' : dir + '.');
    return out.sort();
  }
}

function countOf(n: Node): number {
  if (isPacked(n)) return n.count;
  if (!isDir(n)) return 1;
  let c = 0;
  for (const v of n.values()) c += countOf(v);
  return c;
}
