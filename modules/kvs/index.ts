/**
 * kvs: the key-value store with RFC 18 eventlogs and watches
 * (internal-contracts.md "Job execution and output"). Rank 0 holds the data,
 * in memory for reads and in the backing store in the statedir (backing.ts):
 * a request that changes something is answered once the change is on disk,
 * or with {durable: false} once it is in the tree and queued for the disk
 * (docs/adr/0013-group-commit.md).
 * the module on other ranks forwards every request to rank 0, relaying watch
 * streams. Methods: get, put, unlink, dir, link, readlink, mkdir,
 * eventlog-append, eventlog-close, commit (several changes, all or nothing:
 * commit.ts), getroot, wait-version (the store's version: version.ts),
 * dropcache, watch (streaming), watch-cancel,
 * stream-cancel (the client's cancel of a watch by its matchtag, ADR 0011).
 */
import { randomUUID } from '../../lib/uuid';
import {
  Errno,
  FluxError,
  MsgFlag,
  NO_RESPONSE,
  defineModule,
  einval,
  eproto,
  methods,
  parseArgs,
  request,
  type BrokerModule,
  IHandle,
  IModuleArgs,
  inject,
  injectable,
  type Handle,
  type Message,
  type HandlerTable,
  type RequestHandler,
} from '../../kernel/api';
import * as path from 'node:path';
import { BACKING_FILE, Backing, checkHeader } from './backing';
import { reserveRefusal } from './reserve';
import { answerWhen } from './answer';
import { Staged, commit } from './commit';
import { checkStore } from './store-check';
import { Store, checkEntries, checkKey, parseLog } from './store';
import { Watchers } from './watchers';
import { Versions } from './version';
import { Repairs } from './repair';
import { checkGuestRead } from './guest-read';
import { STARTLOG_KEY, finishEvent, startEvent, type StartlogEntry } from './startlog';
import { kvsProtocol, type Empty, type KvsProtocol, type KvsWatchRequest } from '../../lib/protocol/kvs';
import { monoMs } from '../../lib/clock';

/** handler entries checked against modules/kvs/protocol.avsc */
const method = methods<KvsProtocol>();
/** a method's request, as the protocol has checked it */
type Req<M extends keyof KvsProtocol> = KvsProtocol[M]['request'];
/** what a method answers: its response, or NO_RESPONSE when it answers later (a stream) */
type Res<M extends keyof KvsProtocol> = KvsProtocol[M]['response'] | typeof NO_RESPONSE;
/** {durable: false}: answer once queued for the disk, not once on it (ADR 0013); the protocol checks it is a boolean */
const lazy = (p: { durable?: boolean | null }): boolean => p.durable === false;
const senderOf = (msg: Message): string => msg.route[0] ?? '';
/** a change's answer with the version that holds it (flux kvs put -s) */
function withSeq<T extends object>(answer: Promise<T> | T, rootseq: number): Promise<T & { rootseq: number }> | (T & { rootseq: number }) {
  return answer instanceof Promise ? answer.then((r) => ({ ...r, rootseq })) : { ...answer, rootseq };
}
/** the matchtag a `stream-cancel` names */
/**
 * Open the backing store in the statedir and load the tree from it, when
 * content.backing-module is `kvs` (flux-broker-attributes(7)). It is `none`
 * for a statedir the broker made for this run only (statedir-cleanup=1):
 * nothing in it would outlive the instance, and the tree in memory is what
 * every read is served from anyway (writing it to LMDB cost about 0.8 ms of
 * the broker's time per job: docs/notes/throughput.md); and when the user
 * says `-Scontent.backing-module=none`: the statedir is not read or written.
 */
async function openStore(h: Handle, writingAgain: () => void): Promise<{ store: Store; backing?: Backing }> {
  const store = new Store();
  const dir = h.getattr('statedir');
  if (dir === undefined || h.getattr('content.backing-module') !== 'kvs') return { store };
  // a store from an earlier run is read in a process of its own first: a damaged one cannot crash the broker
  const file = path.join(dir, BACKING_FILE);
  checkHeader(file);
  await checkStore(file);
  const backing = Backing.open(dir, {
    sync: true,
    warn: (msg) => h.log('warning', msg),
    onState: (failing) => {
      if (failing) h.log('err', `${failing.message}: changes are refused until it can write again`);
      else {
        h.log('notice', `store ${file}: writing again`);
        writingAgain();
      }
    },
  });
  // a statedir without room for the reserve would refuse every change of the running broker: refuse to start instead
  const short = await backing.primeReserve();
  if (short) {
    await backing.close();
    throw new FluxError(Errno.ENOSPC, reserveRefusal(dir, short.need));
  }
  for (const r of backing.records()) store.loadRecord(r.key, r.n, r.text);
  store.loaded();
  if (store.size > 0) h.log('info', `restored ${store.size} keys from ${backing.file}`);
  return { store, backing };
}

/** the cold clock (store.ts hint()): a hinted directory packs 1-2 ticks after the last change in it */
const COLD_TICK_MS = 1000;
/** the most of the loop one turn spends packing (~30 us a job's directory) */
const PACK_SLICE_MS = 4;

/** how an archive is loaded: at start (content.restore), or by `flux restore --checkpoint` (module arguments) */
export interface RestoreOptions {
  /** the attribute or argument that named it, for messages */
  what: string;
  /** replace what the store holds (a checkpoint), instead of refusing a store that is not empty */
  replace: boolean;
  /** members larger than this many bytes are skipped */
  sizeLimit?: number;
}

/**
 * A flux-dump(1) archive into the store: a member whose text is RFC 18 lines
 * ending in a newline is an eventlog, any other a value (JSON when it parses,
 * else the string). Without `replace` the store must be empty
 * (`-Scontent.restore=FILE`); with it (`flux restore --checkpoint`) what the
 * store held goes first.
 */
async function restoreArchive(h: Handle, file: string, store: Store, backing: Backing | undefined, opts: RestoreOptions): Promise<Store> {
  if (store.size > 0 && !opts.replace) throw new FluxError(Errno.EEXIST, `${opts.what}: the store in the statedir is not empty`);
  const members: Array<{ key: string; text: string; link?: string }> = [];
  const dirs: string[] = [];
  let skipped = 0;
  // tar is loaded only for a restore, not by every broker
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tar = require('tar') as typeof import('tar');
  await tar.t({
    file,
    // a file that is not an archive is an error, not an empty archive
    strict: true,
    onReadEntry: (e) => {
      const name = e.path.replace(/^\.\//, '').split('/').filter(Boolean).join('.');
      // a symbolic link member is a kvs link to the key it names; a directory member may be an empty directory
      if (name !== '' && e.type === 'SymbolicLink' && e.linkpath) members.push({ key: name, text: '', link: e.linkpath });
      if (name !== '' && e.type === 'Directory') dirs.push(name);
      if (e.type !== 'File' || (opts.sizeLimit !== undefined && e.size > opts.sizeLimit)) {
        if (e.type === 'File') skipped++;
        e.resume();
        return;
      }
      const chunks: Buffer[] = [];
      const key = e.path.replace(/^\.\//, '').split('/').filter(Boolean).join('.');
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => members.push({ key, text: Buffer.concat(chunks).toString('utf8') }));
    },
  }).catch((e: Error) => {
    throw new FluxError(Errno.EINVAL, `${opts.what}: ${file}: ${e.message.replace(/^TAR_[A-Z_]+: /, '')}`);
  });
  if (opts.replace && store.size > 0) {
    if (backing) await backing.clear();
    store = new Store();
    store.loaded();
  }
  const writes: Array<Promise<void>> = [];
  for (const d of dirs) {
    if (members.some((m) => m.key.startsWith(d + '.')) || dirs.some((o) => o.startsWith(d + '.'))) continue;
    const k = checkKey(d);
    store.mkdir(k);
    if (backing) writes.push(backing.putDir(k));
  }
  for (const { key, text, link } of members) {
    const k = checkKey(key);
    if (link !== undefined) {
      const target = checkKey(link);
      store.link(k, target);
      if (backing) writes.push(backing.putLink(k, target));
    } else if (isEventlogText(text)) {
      const { n } = store.append(k, parseLog(text));
      if (backing) writes.push(backing.putLogHeader(k, false), backing.appendLog(k, n, text));
    } else {
      let v: unknown = text;
      try {
        v = JSON.parse(text);
      } catch {
        /* a string */
      }
      const json = store.put(k, v);
      if (backing) writes.push(backing.putValue(k, json));
    }
  }
  await Promise.all(writes);
  if (backing) await backing.synced();
  h.log('info', `${opts.what}: ${members.length} keys from ${file}${skipped > 0 ? ` (${skipped} over the size limit skipped)` : ''}`);
  return store;
}

/** `restore=FILE [replace] [size-limit=BYTES]`: what flux restore --checkpoint loads the kvs with; anything else is refused */
function restoreArgs(args: readonly string[]): { file: string; opts: RestoreOptions } | undefined {
  const a = parseArgs(args);
  for (const k of a.keys()) if (k !== 'restore' && k !== 'size-limit') throw einval(`kvs: unknown module argument '${k}'`);
  const file = a.get('restore');
  if (file === undefined) {
    if (a.has('size-limit')) throw einval('kvs: size-limit needs restore=FILE');
    return undefined;
  }
  if (!file.startsWith('/')) throw einval(`kvs: restore=${file}: the path must be absolute`);
  const lim = a.get('size-limit');
  if (lim !== undefined && !/^\d+$/.test(lim)) throw einval(`kvs: size-limit=${lim}: not a number of bytes`);
  return { file, opts: { what: 'restore', replace: true, sizeLimit: lim === undefined ? undefined : Number(lim) } };
}

function isEventlogText(text: string): boolean {
  if (!text.endsWith('\n')) return false;
  try {
    return parseLog(text).every((e) => typeof e.name === 'string' && typeof e.timestamp === 'number');
  } catch {
    return false;
  }
}

/**
 * Rank 0: the store in memory and its backing store. init() opens the backing
 * store and loads any archive before the module takes the kvs service.
 */
export class KvsLeader implements BrokerModule {
  private store = new Store();
  private backing: Backing | undefined;
  /** what the store failed to take after it was answered, written again from the tree once it writes again (repair.ts) */
  private repairs: Repairs | undefined;
  private readonly watchers: Watchers;
  /** the store's version and the clients waiting for one (version.ts) */
  private readonly versions: Versions;
  /** kvs.commit transactions sent in parts */
  private readonly staged = new Staged();
  readonly handlers: HandlerTable = [
    method('get', (p, msg) => this.getMethod(p, msg), { ownerOnly: false }),
    method('put', (p) => this.put(p)),
    method('unlink', (p) => this.unlink(p)),
    method('dir', (p) => this.dir(p)),
    method('link', (p) => this.link(p)),
    method('readlink', (p) => this.readlink(p)),
    method('mkdir', (p) => this.mkdir(p)),
    method('eventlog-append', (p) => this.eventlogAppend(p)),
    method('eventlog-close', (p) => this.eventlogClose(p)),
    method('commit', (p, msg) => this.commit(p, msg)),
    method('watch', (p, msg) => this.watch(p, msg), { ownerOnly: false }),
    // a guest's cancels reach only its own watches (by sender)
    method('watch-cancel', (p, msg) => this.watchCancel(p, msg), { ownerOnly: false }),
    method('stream-cancel', (p, msg) => this.streamCancel(p, msg), { ownerOnly: false }),
    method('pack', (p) => this.pack(p)),
    method('getroot', () => this.getroot(), { ownerOnly: false }),
    method('wait-version', (p, msg) => this.waitVersion(p, msg), { ownerOnly: false }),
    method('dropcache', () => ({ dropped: this.store.dropViews() })),
    method('stats-get', () => this.statsGet()),
    method('disconnect', (_p, msg) => this.disconnect(msg), { ownerOnly: false }),
  ];
  /** the cold clock's next tick, while directories wait to be packed (pack()) */
  private coldTimer: NodeJS.Timeout | undefined;
  /** packing cold directories, a slice a turn */
  private packing = false;

  constructor(
    private readonly h: Handle,
    private readonly args: readonly string[],
  ) {
    this.watchers = new Watchers(h);
    this.versions = new Versions(h);
  }

  async init(): Promise<void> {
    const h = this.h;
    const fromArgs = restoreArgs(this.args);
    const opened = await openStore(h, () => this.repairs?.writingAgain());
    const backing = (this.backing = opened.backing);
    let store = opened.store;
    const restore = h.getattr('content.restore');
    try {
      if (fromArgs) store = await restoreArchive(h, fromArgs.file, store, backing, fromArgs.opts);
      else if (restore) store = await restoreArchive(h, restore, store, backing, { what: 'content.restore', replace: false });
    } catch (e) {
      await backing?.close();
      throw e;
    }
    this.store = store;
    store.onHint = () => this.armCold();
    if (backing) this.repairs = new Repairs(() => this.store, backing, (sev, msg) => h.log(sev, msg));
  }

  /** a change's write to `keys` failed after it was answered: repair it */
  private failed(keys: readonly string[]): (e: unknown) => never {
    return (e: unknown) => {
      this.repairs?.failed(keys);
      throw e;
    };
  }

  /**
   * The start log (startlog.ts): a `start` event once the store is open.
   * Not for a load that only restores a checkpoint (module arguments).
   */
  async start(): Promise<void> {
    if (this.args.length === 0) await this.startlog(startEvent(this.h.getattr('version')));
  }

  /** append to the start log, on disk before this resolves; a failure is logged, never fatal */
  private async startlog(entry: StartlogEntry): Promise<void> {
    try {
      await this.eventlogAppend({ key: STARTLOG_KEY, entries: [entry] });
    } catch (e) {
      this.h.log('err', `${STARTLOG_KEY}: ${entry.name} event: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.args.length === 0) await this.startlog(finishEvent());
    clearTimeout(this.coldTimer);
    this.coldTimer = undefined;
    const { backing, repairs } = this;
    if (!backing) return;
    // a last try for what the store could not take; what is still left is said, not dropped silently
    if (repairs && repairs.size > 0) await repairs.flush();
    if (repairs && repairs.size > 0) this.h.log('err', `store ${backing.file}: ${repairs.size} keys changed while it could not write are not on disk: a restart will not have them`);
    if (!(await backing.close())) this.h.log('err', `${backing.file}: close did not finish in time`);
  }

  /**
   * The answer once the change is on disk (at once without a backing store).
   * A request with {durable: false} is answered once the change is queued
   * (answer.ts, ADR 0013).
   */
  private durable(keys: readonly string[], write: (b: Backing) => Promise<void>, queued = false): Promise<Empty> | Empty {
    const backing = this.backing;
    if (!backing) return {};
    // a change nobody waits on is held a few ms to share a commit with others (backing.ts lazily)
    const p = queued ? backing.lazily(() => write(backing)) : write(backing);
    // after the write: a change the store refused at once (no room) has set the error
    const answer = answerWhen(p, queued, backing.error !== undefined, (c) => backing.durable(c)) as Promise<Empty> | Empty;
    // answered before its write failed: the disk gets it once the store writes again (repair.ts)
    if (!(answer instanceof Promise)) p.catch(() => this.repairs?.failed(keys));
    return answer;
  }

  private watch(p: KvsWatchRequest, msg: Message): typeof NO_RESPONSE {
    const { store, watchers, h } = this;
    if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
    const key = checkKey(p.key);
    checkGuestRead(store, msg, 'kvs.watch', key);
    const tag = p.tag ?? undefined;
    if (store.has(key)) {
      if (!store.isLog(key)) {
        h.respond(msg, { value: store.get(key) });
        // {values: true}: every later put of the key too (flux kvs get --watch)
        if (p.values === true) watchers.add({ key, msg, sender: senderOf(msg), tag, values: true });
        else h.respondError(msg, Errno.ENODATA);
        return NO_RESPONSE;
      }
      const entries = store.entries(key);
      if (entries.length > 0) h.respond(msg, { entries });
      if (store.isClosed(key)) {
        h.respondError(msg, Errno.ENODATA);
        return NO_RESPONSE;
      }
    } else if (p.waitcreate === false) {
      throw new FluxError(Errno.ENOENT, `${key}: No such file or directory`);
    }
    watchers.add({ key, msg, sender: senderOf(msg), tag, values: p.values === true });
    return NO_RESPONSE;
  }

  private getMethod(p: Req<'get'>, msg: Message) {
    const key = checkKey(p.key);
    checkGuestRead(this.store, msg, 'kvs.get', key);
    return { value: this.store.get(key) };
  }

  private put(p: Req<'put'>) {
    const quick = lazy(p);
    const key = checkKey(p.key);
    const wasDir = this.store.isDir(key);
    const shadowed = this.store.leafAncestors(key);
    const json = this.store.put(key, p.value);
    this.watchers.notifyValue(key, p.value);
    const seq = this.versions.bump();
    return withSeq(this.durable([key, ...shadowed], async (b) => {
      const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((k) => b.remove(k, false))];
      await Promise.all([...removed, b.putValue(key, json)]);
    }, quick), seq);
  }

  private unlink(p: Req<'unlink'>) {
    const key = checkKey(p.key);
    const recursive = p.recursive === true;
    if (recursive) for (const k of this.store.keys(key)) this.watchers.end(k);
    this.watchers.end(key);
    const count = this.store.unlink(key, recursive);
    if (count === 0) return { count, rootseq: this.versions.current };
    const rootseq = this.versions.bump();
    if (!this.backing) return { count, rootseq };
    return this.backing.durable(this.backing.remove(key, recursive).catch(this.failed([key]))).then(() => ({ count, rootseq }));
  }

  private dir(p: Req<'dir'>) {
    const k = p.key;
    const dir = k === undefined || k === null || k === '' || k === '.' ? '' : checkKey(k);
    // {extras: true}: the links and empty directories below it too (flux kvs ls/dir)
    if (p.extras !== true) return { keys: this.store.keys(dir) };
    const kind = this.store.kind(dir);
    return { keys: this.store.keys(dir), ...this.store.extras(dir), ...(kind ? { kind } : {}) };
  }

  private link(p: Req<'link'>) {
    const key = checkKey(p.key);
    const target = checkKey(p.target);
    const wasDir = this.store.isDir(key);
    const shadowed = this.store.leafAncestors(key);
    this.watchers.end(key);
    this.store.link(key, target);
    const seq = this.versions.bump();
    return withSeq(this.durable([key, ...shadowed], async (b) => {
      const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((s) => b.remove(s, false))];
      await Promise.all([...removed, b.putLink(key, target)]);
    }), seq);
  }

  private readlink(p: Req<'readlink'>) {
    return ({ target: this.store.readlink(checkKey(p.key)) });
  }

  private mkdir(p: Req<'mkdir'>) {
    const key = checkKey(p.key);
    const shadowed = this.store.leafAncestors(key);
    for (const k of this.store.keys(key)) this.watchers.end(k);
    this.watchers.end(key);
    this.store.mkdir(key);
    const seq = this.versions.bump();
    return withSeq(this.durable([key, ...shadowed], async (b) => {
      await Promise.all([b.remove(key, true), ...shadowed.map((s) => b.remove(s, false))]);
      await b.putDir(key);
    }), seq);
  }

  private eventlogAppend(p: Req<'eventlog-append'>) {
    const quick = lazy(p);
    const key = checkKey(p.key);
    const entries = checkEntries(p.entries);
    const shadowed = this.store.leafAncestors(key);
    const { text, n } = this.store.append(key, entries);
    this.watchers.notify(key, entries);
    const close = p.close === true;
    if (close) {
      this.store.close(key);
      this.watchers.end(key);
    }
    this.versions.bump();
    return this.durable([key, ...shadowed], async (b) => {
      const header = n === 1 && !close ? b.putLogHeader(key, false) : undefined;
      const lines = b.appendLog(key, n, text);
      // queued after the lines: a log on disk is never closed before its last entries
      const closed = close ? b.putLogHeader(key, true) : undefined;
      await Promise.all([...shadowed.map((k) => b.remove(k, false)), header, lines, closed]);
    }, quick);
  }

  private eventlogClose(p: Req<'eventlog-close'>) {
    const key = checkKey(p.key);
    const quick = lazy(p);
    this.store.close(key);
    this.watchers.end(key);
    this.versions.bump();
    return this.durable([key], (b) => b.putLogHeader(key, true), quick);
  }

  private commit(p: Req<'commit'>, msg: Message) {
    const whole = p.txn === undefined || p.txn === null ? p.ops : this.staged.add(senderOf(msg), p.txn, p.ops, p.final === true);
    if (!whole) return {};
    // commit() throws before the tree changes, or changes it whole
    const answer = commit(whole, this.store, this.watchers, this.backing);
    this.versions.bump();
    return answer;
  }

  private getroot() {
    return { rootseq: this.versions.current, owner: Number(this.h.getattr('security.owner') ?? process.getuid?.() ?? 0) };
  }

  private waitVersion(p: Req<'wait-version'>, msg: Message): typeof NO_RESPONSE {
    if (!Number.isSafeInteger(p.version) || p.version < 0) throw einval(`wait-version: invalid version ${p.version}`);
    this.versions.wait(p.version, msg, senderOf(msg));
    return NO_RESPONSE;
  }

  private watchCancel(p: Req<'watch-cancel'>, msg: Message) {
      const tag = p.tag;
      if (typeof tag !== 'string') throw einval('watch-cancel: tag is required');
      this.watchers.cancel(senderOf(msg), tag);
      return {};
    }

  private streamCancel(p: Req<'stream-cancel'>, msg: Message) {
      this.watchers.cancelStream(senderOf(msg), p.matchtag);
      return {};
    }

  private statsGet() {
    return ({ keys: this.store.size, watchers: this.watchers.count, cancelled: this.watchers.cancelled, versionWaiters: this.versions.waiting, pack: this.store.packStats(), ...(this.backing ? { backing: this.backing.file, store: this.backing.stats() } : {}) });
  }

  /** `pack {key}`: a hint, the directory packs once cold */
  private pack(p: Req<'pack'>) {
    this.store.hint(checkKey(p.key));
    return {};
  }

  /** the cold clock ticks while directories wait to be packed */
  private armCold(): void {
    if (this.coldTimer || this.packing) return;
    this.coldTimer = setTimeout(() => {
      this.coldTimer = undefined;
      this.store.tick();
      this.packing = true;
      this.packSlice();
    }, COLD_TICK_MS);
    this.coldTimer.unref();
  }

  /** pack what went cold, PACK_SLICE_MS of the loop a turn */
  private packSlice(): void {
    const end = monoMs() + PACK_SLICE_MS;
    if (this.store.packCold(() => monoMs() < end)) {
      setImmediate(() => this.packSlice());
      return;
    }
    this.packing = false;
    if (this.store.hinted > 0) this.armCold();
  }

  private disconnect(msg: Message): Res<'disconnect'> {
      this.watchers.cancel(senderOf(msg));
      this.staged.drop(senderOf(msg));
      this.versions.drop(senderOf(msg));
      return NO_RESPONSE;
    }
}

/** Followers: forward everything to rank 0, relaying watch streams. */
export class KvsFollower implements BrokerModule {
  private readonly relays = new Map<string, Map<string, () => void>>();
  /** `${sender}:${matchtag}` of a relayed watch -> its tag in relays (kvs.stream-cancel) */
  private readonly relayTags = new Map<string, string>();
  readonly handlers: HandlerTable = [
    this.forward('get'),
    this.forward('put'),
    this.forward('unlink'),
    this.forward('dir'),
    this.forward('link'),
    this.forward('readlink'),
    this.forward('mkdir'),
    this.forward('eventlog-append'),
    this.forward('eventlog-close'),
    this.forward('commit'),
    this.forward('stats-get'),
    this.forward('getroot'),
    this.forward('wait-version'),
    this.forward('dropcache'),
    method('watch', (p, msg) => this.watch(p, msg)),
    method('watch-cancel', (p, msg) => this.watchCancel(p, msg)),
    method('stream-cancel', (p, msg) => this.streamCancel(p, msg)),
    method('disconnect', (_p, msg) => this.disconnect(msg), { ownerOnly: false }),
  ];

  constructor(private readonly h: Handle) {}

  /** forwarded as it came (rank 0 answers with the method's response) */
  private forward(name: keyof KvsProtocol & string): RequestHandler {
    return request(name, (_msg, req) => this.h.rpc(`kvs.${name}`, req, { nodeid: 0 }));
  }

  private stopAll(sender: string): void {
    const m = this.relays.get(sender);
    if (!m) return;
    this.relays.delete(sender);
    for (const stop of m.values()) stop();
  }

  private watch(p: Req<'watch'>, msg: Message): Res<'watch'> {
    if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
    const sender = senderOf(msg);
    const userTag = p.tag ?? randomUUID();
    const upTag = randomUUID();
    const s = this.h.rpcStream('kvs.watch', { ...p, tag: upTag }, {
      nodeid: 0,
      onResponse: (p) => this.h.respond(msg, p),
    });
    let m = this.relays.get(sender);
    if (!m) this.relays.set(sender, (m = new Map()));
    // the stream's own cancel tells rank 0 (kvs.stream-cancel); done then answers the client ENODATA
    const stop = () => void s.cancel();
    m.set(userTag, stop);
    this.relayTags.set(`${sender}:${msg.matchtag}`, userTag);
    void s.done.finally(() => this.relayTags.delete(`${sender}:${msg.matchtag}`)).catch(() => undefined);
    s.done.then(
      () => {
        this.relays.get(sender)?.delete(userTag);
        this.h.respondError(msg, Errno.ENODATA);
      },
      (e: { errno?: number; message?: string }) => {
        this.relays.get(sender)?.delete(userTag);
        this.h.respondError(msg, e.errno ?? Errno.EIO, e.message);
      },
    );
    return NO_RESPONSE;
  }

  private watchCancel(p: Req<'watch-cancel'>, msg: Message) {
    const tag = p.tag;
    const m = this.relays.get(senderOf(msg));
    if (typeof tag === 'string' && m?.has(tag)) {
      m.get(tag)!();
      m.delete(tag);
    }
    return {};
  }

  private streamCancel(p: Req<'stream-cancel'>, msg: Message) {
    const sender = senderOf(msg);
    const tag = this.relayTags.get(`${sender}:${p.matchtag}`);
    const stop = tag === undefined ? undefined : this.relays.get(sender)?.get(tag);
    if (stop) {
      this.relays.get(sender)!.delete(tag!);
      stop();
    }
    return {};
  }

  private disconnect(msg: Message): Res<'disconnect'> {
      this.stopAll(senderOf(msg));
      return NO_RESPONSE;
    }
}

/** The kvs as its child container builds it: rank 0's store, or a follower that forwards to it. */
@injectable()
export class Kvs implements BrokerModule {
  private readonly role: BrokerModule;

  constructor(@inject(IHandle) h: Handle, @inject(IModuleArgs) args: readonly string[]) {
    if (h.rank !== 0 && args.length > 0) throw einval('kvs: module arguments are for rank 0 only');
    this.role = h.rank === 0 ? new KvsLeader(h, args) : new KvsFollower(h);
  }

  get handlers(): HandlerTable {
    return this.role.handlers;
  }

  init(): Promise<void> | void {
    return this.role.init?.();
  }

  start(): Promise<void> | void {
    return this.role.start?.();
  }

  stop(): Promise<void> | void {
    return this.role.stop?.();
  }
}

export default defineModule({
  name: 'kvs',
  description: 'Key-value store with eventlogs and watches, kept in the statedir',
  ranks: 'all',
  protocol: kvsProtocol,
  module: Kvs,
});
