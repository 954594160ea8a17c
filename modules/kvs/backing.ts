/**
 * The kvs's backing store: an LMDB environment `<statedir>/content.lmdb`
 * (docs/adr/0008-persistent-store-lmdb.md). The kvs keeps its tree in memory
 * for reads and watches; every change is also written here, and a request
 * that changed something is answered only once its write is on disk.
 *
 * Layout: one LMDB key per kvs value and per eventlog chunk, as the ordered
 * pair [kvs key, n]: n = 0 holds the header ('v' + JSON text for a value,
 * 'l' for an open eventlog, 'c' for a closed one, 'L' + target for a link,
 * 'd' for a directory made by mkdir, kept when empty), n >= 1 an eventlog's
 * appended lines in order. Any other directory is the keys below it. The
 * primary namespace's version (its root sequence number, version.ts) is the
 * record ['', 0], outside the kvs's keys (a kvs key is never empty): it is
 * written after the records of every change, in the same write queue, so a
 * restart continues from it (Flux checkpoints it with the root).
 *
 * Writes go to LMDB's write thread: the writes queued while a commit is in
 * progress commit together in the next transaction (group commit), so the
 * event loop never waits on the disk. Each commit flushes its pages with one
 * fdatasync but not its meta page (MDB_NOMETASYNC: a system crash may undo
 * the last commit, never damage the file); a change that must be durable
 * waits for its commit and then for synced(), one more fdatasync shared by
 * every change waiting at the time (docs/adr/0013-group-commit.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, RootDatabase } from 'lmdb';

/** lmdb (and its native parts) is loaded only when a store opens: an instance without a statedir never pays its memory (issue 13). */
function lmdb(): typeof import('lmdb') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('lmdb') as typeof import('lmdb');
}
import { Errno, FluxError } from '../../kernel/api';
import { Reserve } from './reserve';

/** how long close() waits for queued writes */
const CLOSE_WAIT_MS = 5000;
/**
 * a change nobody waits on (lazily(): {durable: false}) is held this long
 * for others to share its commit; a change that must be durable takes every
 * held one with it at once (docs/adr/0013-group-commit.md, addendum)
 */
export const LAZY_MS = 20;

/** the file's name in the statedir */
export const BACKING_FILE = 'content.lmdb';

export type BackingKey = [string, number];

/** where the version is kept: no kvs key is empty */
const SEQ_KEY: BackingKey = ['', 0];

/** One record as it is read back at start. */
export interface BackingRecord {
  key: string;
  n: number;
  text: string;
}

export interface BackingOptions {
  /** fsync every commit (false for a temporary statedir removed at exit) */
  sync: boolean;
  /** told once when writes start failing, and once when they work again */
  onState?: (failing: FluxError | undefined) => void;
  /** a line for the log (no room can be reserved ahead: reserve.ts) */
  warn?: (msg: string) => void;
}

/**
 * lmdb-js prints every failed commit itself, with console.error and a stack
 * trace, on the broker's stderr. The requests of that commit are answered
 * with the error already (one line each), and the kvs logs the change of
 * state once (onState): the library's print is dropped while a store is open.
 */
let openStores = 0;
let consoleError: typeof console.error | undefined;
const fromLmdb = (e: unknown): boolean => e instanceof Error && /[\\/]lmdb[\\/]/.test(e.stack ?? '');

/**
 * lmdb-js also rejects a promise of its own for a failed commit
 * (`commitError`) that nothing may be listening to when the commit's writes
 * carried no callbacks: unhandled, it would end the broker (seen once a full
 * filesystem made commits fail). Such rejections are dropped while a store
 * is open; any other unhandled rejection is thrown as Node would.
 */
const onUnhandled = (reason: unknown): void => {
  if (fromLmdb(reason)) return;
  throw reason;
};

function quietLibraryErrors(on: boolean): void {
  openStores += on ? 1 : -1;
  if (openStores > 0 && consoleError === undefined) {
    consoleError = console.error;
    const orig = consoleError;
    console.error = (...args: unknown[]) => {
      if (args.length === 1 && fromLmdb(args[0])) return;
      orig.apply(console, args);
    };
    process.on('unhandledRejection', onUnhandled);
  } else if (openStores === 0 && consoleError !== undefined) {
    console.error = consoleError;
    consoleError = undefined;
    process.off('unhandledRejection', onUnhandled);
  }
}

const errnoOf = (e: unknown): number => {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = String((e as Error).message ?? e);
  if (code === 'ENOSPC' || /No space left|MDB_MAP_FULL/i.test(msg)) return Errno.ENOSPC;
  if (code === 'EROFS' || /Read-only file system/i.test(msg)) return Errno.EROFS;
  if (code === 'EACCES' || /Permission denied/i.test(msg)) return Errno.EACCES;
  return Errno.EIO;
};

/** One line naming the store and what went wrong (the first line of the library's message). */
export function storeError(file: string, e: unknown): FluxError {
  // lmdb's "No space left on device: Attempting to write page at ...": the first part
  const msg = String((e as Error)?.message ?? e).split('\n')[0]!.replace(/: Attempting to .*$/, '').trim();
  return new FluxError(errnoOf(e), `store ${file}: ${msg}`);
}

/**
 * lmdb-js rejects every write of a failed transaction with "Commit failed"
 * and the reason in a `commitError` promise (which must be handled, or it is
 * an unhandled rejection): the reason.
 */
async function causeOf(e: unknown): Promise<unknown> {
  const ce = (e as { commitError?: unknown } | null)?.commitError;
  if (!(ce instanceof Promise)) return e;
  try {
    await ce;
    return e;
  } catch (cause) {
    return cause;
  }
}

/** LMDB's meta page: flags (P_META) at 18, magic at 24; two meta pages */
const META_FLAGS_AT = 18;
const P_META = 0x08;
const MAGIC_AT = 24;
const MDB_MAGIC = 0xbeefc0de;

/**
 * A file that is not an LMDB store (damaged, truncated, another program's)
 * is refused before LMDB maps it: LMDB trusts its pages, and a damaged meta
 * page can crash the process instead of failing. A missing or empty file is
 * a new store.
 */
export function checkHeader(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw storeError(file, e);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    const buf = Buffer.alloc(32);
    const pageSize = 4096;
    for (const at of [0, pageSize]) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n < buf.length || (buf.readUInt16LE(META_FLAGS_AT) & P_META) === 0 || buf.readUInt32LE(MAGIC_AT) !== MDB_MAGIC) {
        throw new FluxError(Errno.EIO, `store ${file}: not a valid store (damaged or not an LMDB file); move it away or restore it from a dump (flux restore)`);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface BackingStats {
  txns: number;
  puts: number;
  deletes: number;
  commitSeconds: number;
  /** commits are fsynced (false for a temporary statedir) */
  sync: boolean;
}

export class Backing {
  private readonly db: RootDatabase<string, BackingKey>;
  /** the first write error since the last write that succeeded */
  private failing: FluxError | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    db: RootDatabase<string, BackingKey>,
    private readonly onState?: (failing: FluxError | undefined) => void,
    private readonly warn?: (msg: string) => void,
    private readonly sync = true,
  ) {
    this.db = db;
    quietLibraryErrors(true);
    this.reserve = new Reserve(
      file,
      () => {
        const st = db.getStats() as { lastPageNumber?: number; pageSize?: number };
        return ((st.lastPageNumber ?? 0) + 1) * (st.pageSize ?? 4096);
      },
      (why) => this.warn?.(`store ${file}: no space can be reserved ahead (${why}): a full filesystem may crash the broker`),
    );
  }

  private readonly reserve: Reserve;

  /** Make the reserve now (at open): undefined once made or when there can be none, else the bytes the filesystem lacks for it. */
  primeReserve(): Promise<{ need: number } | undefined> {
    return this.reserve.prime();
  }
  /** inside lazily(): changes are held (LAZY_MS) */
  private lazyMode = false;
  /** held changes, in order: each queues its write to LMDB when run */
  private held: Array<() => void> = [];
  private heldTimer: NodeJS.Timeout | undefined;

  /**
   * The changes `fn` makes (synchronously) are held up to LAZY_MS before they
   * go to LMDB, so that the changes nobody waits on share one commit (and one
   * fsync) instead of one each per event-loop turn. Order is kept: any other
   * change first queues every held one.
   */
  lazily<T>(fn: () => T): T {
    this.lazyMode = true;
    try {
      return fn();
    } finally {
      this.lazyMode = false;
    }
  }

  /** queue every held change to LMDB, in order */
  private releaseHeld(): void {
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const run = this.held;
    if (run.length === 0) return;
    this.held = [];
    this.releasing = true;
    try {
      for (const f of run) f();
    } finally {
      this.releasing = false;
    }
    // their answers did not wait for the disk: the version's write is not theirs to wait on either
    if (this.seq !== undefined) void this.db.put(SEQ_KEY, String(this.seq())).catch(causeOf);
  }

  /**
   * Changes waiting for room, in the order they came: while one waits, every
   * later change waits behind it, so that the disk gets them in the order the
   * tree did (a later put of a key must not be overwritten by the earlier).
   */
  private waiting: Array<{ op: () => Promise<unknown>; bytes: number; lazy: boolean; since: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private pumping = false;

  /**
   * A change: queued to LMDB (or held first, inside lazily()) when the room
   * reserved ahead holds it (reserve.ts); else it waits for a top-up, and is
   * refused only once a try that started after it came found the filesystem
   * full.
   */
  private change(op: () => Promise<unknown>, bytes = 0, lazy = this.lazyMode): Promise<void> {
    if (this.waiting.length === 0) {
      const admitted = this.reserve.admit(bytes);
      if (!(admitted instanceof FluxError)) return this.queue(op, admitted.cost, lazy);
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ op, bytes, lazy, since: this.reserve.started, resolve, reject });
      this.pump();
    });
  }

  /** queue (or refuse) the waiting changes in order, until one must wait for a top-up */
  private pump(): void {
    if (this.pumping) return;
    while (this.waiting.length > 0) {
      const w = this.waiting[0]!;
      const admitted = this.reserve.admit(w.bytes);
      if (admitted instanceof FluxError && !this.reserve.fullSince(w.since)) {
        this.pumping = true;
        void this.reserve.retry().then(() => {
          this.pumping = false;
          this.pump();
        });
        return;
      }
      this.waiting.shift();
      if (admitted instanceof FluxError) {
        if (!this.failing) this.onState?.(admitted);
        this.failing = admitted;
        w.reject(admitted);
      } else this.queue(w.op, admitted.cost, w.lazy).then(w.resolve, w.reject);
    }
  }

  private queue(op: () => Promise<unknown>, cost: number, lazy: boolean): Promise<void> {
    const queue = (): Promise<void> => {
      const p = this.write(this.stamped(op()));
      const after = () => this.reserve.done(cost);
      p.then(after, after);
      return p;
    };
    if (!lazy) {
      this.releaseHeld();
      return queue();
    }
    return new Promise<void>((resolve, reject) => {
      this.held.push(() => queue().then(resolve, reject));
      this.heldTimer ??= setTimeout(() => this.releaseHeld(), LAZY_MS);
    });
  }

  /**
   * Open (creating) the store in dir. Throws one FluxError line when it
   * cannot: not a directory, no permission, a damaged file.
   */
  static open(dir: string, opts: BackingOptions): Backing {
    const file = path.join(dir, BACKING_FILE);
    try {
      const st = fs.statSync(dir);
      if (!st.isDirectory()) throw new FluxError(Errno.ENOTDIR, `store ${file}: ${dir} is not a directory`);
    } catch (e) {
      if (e instanceof FluxError) throw e;
      throw storeError(file, e);
    }
    checkHeader(file);
    let db: RootDatabase<string, BackingKey>;
    try {
      // trackMetrics is an option of lmdb-js's open that its typings do not list
      const options: Parameters<typeof import('lmdb').open>[0] & { trackMetrics: boolean } = {
        path: file,
        encoding: 'string',
        compression: false,
        noSync: !opts.sync,
        // one fdatasync per commit (its pages), not two: the meta page is
        // flushed by the next commit or by synced(), which a durable answer waits for
        noMetaSync: opts.sync,
        overlappingSync: false,
        // the cache holds decoded values: the kvs keeps its own tree
        cache: false,
        // writes queued while a commit is in progress go in the next one (group
        // commit). Event-turn batching adds an internal promise per turn that
        // is rejected unhandled when a commit fails (ENOSPC): it would end the broker.
        eventTurnBatching: false,
        // counts of transactions and time spent in fsync, for kvs.stats-get (the bench's per-job figures)
        trackMetrics: true,
      };
      db = lmdb().open<string, BackingKey>(options);
      // read something: a damaged file fails here, not later
      db.getKeysCount({ limit: 1 });
    } catch (e) {
      throw storeError(file, e);
    }
    return new Backing(file, db, opts.onState, opts.warn, opts.sync);
  }

  /** Every record, in key order (start-up). */
  *records(): Generator<BackingRecord> {
    for (const { key, value } of this.db.getRange({})) {
      if (!Array.isArray(key) || typeof key[0] !== 'string' || typeof key[1] !== 'number' || typeof value !== 'string') {
        throw new FluxError(Errno.EIO, `store ${this.file}: damaged record ${JSON.stringify(key)}`);
      }
      if (key[0] === SEQ_KEY[0]) continue;
      yield { key: key[0], n: key[1], text: value };
    }
  }

  /** the version written last (0 for a new store, or one written before versions were kept) */
  savedSeq(): number {
    const v = Number(this.db.get(SEQ_KEY));
    return Number.isSafeInteger(v) && v > 0 ? v : 0;
  }

  /**
   * The version to write after each change's records (the primary
   * namespace's, set by the kvs): one small put in the same write queue, so
   * it commits with the change or in a later transaction, never before it.
   * Held changes (lazily()) released together share one.
   */
  seq: (() => number) | undefined;
  /** releaseHeld() is queueing held changes: one version write after them all */
  private releasing = false;

  /** the version after op's writes; the change's promise covers both */
  private stamped(p: Promise<unknown>): Promise<unknown> {
    if (this.seq === undefined || this.releasing) return p;
    const stamp = this.db.put(SEQ_KEY, String(this.seq()));
    // in the same LMDB transaction lmdb-js answers both with one promise
    return stamp === p ? p : Promise.all([p, stamp]);
  }

  /** true when the store holds nothing */
  get empty(): boolean {
    for (const _r of this.records()) return false;
    return true;
  }

  putValue(key: string, json: string): Promise<void> {
    return this.change(() => {
      this.dropChunks(key);
      return this.db.put([key, 0], 'v' + json);
    }, json.length);
  }

  /** a symbolic link (header 'L' + its target) */
  putLink(key: string, target: string): Promise<void> {
    return this.change(() => {
      this.dropChunks(key);
      return this.db.put([key, 0], 'L' + target);
    }, target.length);
  }

  /** an empty directory made by mkdir (header 'd'): what key held goes first (remove(key, true)) */
  putDir(key: string): Promise<void> {
    return this.change(() => this.db.put([key, 0], 'd'));
  }

  /** a new eventlog (header), or a closed one */
  putLogHeader(key: string, closed: boolean): Promise<void> {
    return this.change(() => this.db.put([key, 0], closed ? 'c' : 'l'));
  }

  appendLog(key: string, n: number, text: string): Promise<void> {
    return this.change(() => this.db.put([key, n], text), text.length);
  }

  /**
   * Remove a key, or with dir every key below it too. The records are
   * looked up inside the write transaction, so the writes queued before it
   * (and the held ones, queued first) are among them.
   */
  remove(key: string, dir: boolean): Promise<void> {
    this.releaseHeld();
    return this.change(() =>
      this.db.transaction(() => {
        const keys = [...this.db.getKeys({ start: [key, 0], end: [key, Number.MAX_SAFE_INTEGER] })];
        if (dir) keys.push(...this.db.getKeys({ start: [key + '.'], end: [key + '/'] }));
        for (const k of keys) void this.db.remove(k);
      }),
    );
  }

  /**
   * One transaction (kvs.commit: all or nothing on disk too): each of
   * `replace` is removed with every key below it, each of `drop` alone (a
   * value a directory replaced), then `records` [key, n, text] are written.
   */
  transact(replace: readonly string[], drop: readonly string[], records: ReadonlyArray<[string, number, string]>): Promise<void> {
    const bytes = records.reduce((a, r) => a + r[0].length + r[2].length, 0);
    return this.change(
      () =>
        this.db.transaction(() => {
          const gone: BackingKey[] = [];
          for (const key of replace) {
            gone.push(...this.db.getKeys({ start: [key, 0], end: [key, Number.MAX_SAFE_INTEGER] }));
            gone.push(...this.db.getKeys({ start: [key + '.'], end: [key + '/'] }));
          }
          for (const key of drop) gone.push(...this.db.getKeys({ start: [key, 0], end: [key, Number.MAX_SAFE_INTEGER] }));
          for (const k of gone) void this.db.remove(k);
          for (const [key, n, text] of records) void this.db.put([key, n], text);
        }),
      bytes,
    );
  }

  /** Remove every record (a checkpoint replacing the store's content). */
  clear(): Promise<void> {
    return this.change(() => this.db.clearAsync());
  }

  /** a value replacing an eventlog: its chunks go */
  private dropChunks(key: string): void {
    // in the same transaction as the put that follows: its failure is the put's
    for (const k of this.db.getKeys({ start: [key, 1], end: [key, Number.MAX_SAFE_INTEGER] })) void this.db.remove(k).catch(causeOf);
  }

  /**
   * What the store did so far (LMDB's metrics): write transactions (each
   * one commit, flushed to disk when syncing), records put and removed, and
   * the seconds the write thread spent committing (writing pages and
   * syncing them).
   */
  stats(): BackingStats {
    const now = this.counted();
    const b = this.statsBase;
    return { txns: now.txns - b.txns, puts: now.puts - b.puts, deletes: now.deletes - b.deletes, commitSeconds: now.commitSeconds - b.commitSeconds, sync: this.sync };
  }

  /** flux module stats --clear: LMDB's counters cannot be reset, so stats() counts from here */
  clearStats(): void {
    this.statsBase = this.counted();
  }

  /** stats() counts from these (clearStats()) */
  private statsBase = { txns: 0, puts: 0, deletes: 0, commitSeconds: 0 };

  /** LMDB's metrics since the environment opened */
  private counted(): { txns: number; puts: number; deletes: number; commitSeconds: number } {
    const st = this.db.getStats() as Partial<Record<'txns' | 'puts' | 'deletes' | 'timeDuringTxns' | 'timePageFlushes' | 'timeSync', number>>;
    const commitSeconds = (st.timeDuringTxns ?? 0) + (st.timePageFlushes ?? 0) + (st.timeSync ?? 0);
    return { txns: st.txns ?? 0, puts: st.puts ?? 0, deletes: st.deletes ?? 0, commitSeconds };
  }

  /** the fdatasync in flight, and the one that follows it for the callers that came meanwhile */
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;
  /** the environment is being closed */
  private syncOff = false;

  /**
   * Everything committed so far is on disk, meta page included: one
   * fdatasync of the file on the threadpool (LMDB's env sync). A caller that
   * comes while one is in flight waits for the next one (its commit may have
   * come after the flush began); all of them share it. At once without sync.
   */
  synced(): Promise<void> {
    if (!this.sync || this.syncOff) return Promise.resolve();
    if (!this.syncing) return this.startSync();
    if (!this.nextSync) {
      const after = () => {
        this.nextSync = undefined;
        return this.startSync();
      };
      this.nextSync = this.syncing.then(after, after);
    }
    return this.nextSync;
  }

  private startSync(): Promise<void> {
    if (this.syncOff) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => {
      const fail = (e: unknown) => {
        const err = storeError(this.file, e);
        if (!this.failing) this.onState?.(err);
        this.failing = err;
        reject(err);
      };
      try {
        // lmdb-js's RootDatabase.sync(callback), which its typings do not list
        (this.db as unknown as { sync(cb: (err?: unknown) => void): void }).sync((err) => (err ? fail(err) : resolve()));
      } catch (e) {
        fail(e);
      }
    });
    this.syncing = p;
    const done = () => {
      if (this.syncing === p) this.syncing = undefined;
    };
    p.then(done, done);
    return p;
  }

  /** A change's promise (resolved at its commit), then on disk: synced(). */
  durable(commit: Promise<void>): Promise<void> {
    return commit.then(() => this.synced());
  }

  /** the last write failed and none has succeeded since */
  get error(): FluxError | undefined {
    return this.failing;
  }

  private write(p: Promise<unknown>): Promise<void> {
    return p.then(
      () => {
        if (this.failing) this.onState?.(undefined);
        this.failing = undefined;
      },
      async (e: unknown) => {
        const err = storeError(this.file, await causeOf(e));
        if (!this.failing) this.onState?.(err);
        this.failing = err;
        throw err;
      },
    );
  }

  /** Everything written so far is committed (and synced). */
  flushed(): Promise<void> {
    this.releaseHeld();
    return this.write(this.db.flushed);
  }

  /**
   * Close at unload. Every acknowledged write is on disk already; what is
   * still queued gets CLOSE_WAIT_MS to commit, so that a store that stopped
   * answering cannot hold the broker's shutdown.
   */
  async close(): Promise<boolean> {
    this.releaseHeld();
    const closing = (async () => {
      try {
        await this.db.flushed;
        // the last commit's meta page (noMetaSync)
        await this.synced();
      } catch (e) {
        await causeOf(e); // reported to the requests that made them
      }
      // no sync may start on the environment being closed (its own commit covered what came before)
      this.syncOff = true;
      await this.syncing?.catch(() => undefined);
      await this.db.close().catch(causeOf);
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), CLOSE_WAIT_MS)));
    const done = await Promise.race([closing.then(() => true), late]);
    clearTimeout(timer);
    if (!this.closed) quietLibraryErrors(false);
    this.closed = true;
    return done;
  }
}

export type { Database };
