/**
 * kvs: the key-value store with RFC 18 eventlogs and watches
 * (internal-contracts.md "Job execution and output"). Rank 0 holds the data,
 * in memory for reads and in the backing store in the statedir (backing.ts):
 * a request that changes something is answered once the change is on disk,
 * or with {durable: false} once it is in the tree and queued for the disk
 * (docs/adr/0013-group-commit.md). Besides the primary namespace, others
 * made with namespace-create, in memory only (namespaces.ts).
 * The module on other ranks forwards every request to rank 0, relaying watch
 * streams (follower.ts). Methods: get, put, unlink, dir, link, readlink, mkdir,
 * eventlog-append, eventlog-close, commit (several changes, all or nothing:
 * commit.ts), getroot, wait-version (a namespace's version: version.ts),
 * dropcache, watch (streaming), watch-cancel,
 * stream-cancel (the client's cancel of a watch by its matchtag, ADR 0011),
 * namespace-create, namespace-remove, namespace-list.
 */
import { kvsConfigSchema } from './config';
import {
  Errno,
  FluxError,
  MsgFlag,
  NO_RESPONSE,
  defineModule,
  einval,
  eproto,
  event,
  parseArgs,
  type BrokerModule,
  IHandle,
  IModuleArgs,
  inject,
  injectable,
  type Handle,
  type Message,
  type HandlerTable,
} from '../../kernel/api';
import * as path from 'node:path';
import { BACKING_FILE, Backing, checkHeader } from './backing';
import { reserveRefusal } from './reserve';
import { answerWhen } from './answer';
import { Staged, commit } from './commit';
import { checkStore } from './store-check';
import { Store, checkEntries, checkKey, parseLog } from './store';
import { Namespaces, type Access, type Space } from './namespaces';
import { Repairs } from './repair';
import { checkGuestRead } from './guest-read';
import { JobSpaces } from './job-spaces';
import { errorOutward, inward, outward, sourcesInward } from './job-rewrite';
import { STARTLOG_KEY, finishEvent, startEvent, type StartlogEntry } from './startlog';
import { kvsProtocol, type Empty, type KvsWatchRequest } from '../../lib/protocol/kvs';
import { monoMs } from '../../lib/clock';
import { ownerEvent } from '../../lib/owner-event';
import { method, senderOf, type Req, type Res } from './method';
import { KvsFollower } from './follower';
import { finalDump } from './final-dump';
import { readKvsArchive } from '../../lib/kvs-archive/read';

/** {durable: false}: answer once queued for the disk, not once on it (ADR 0013); the protocol checks it is a boolean */
const lazy = (p: { durable?: boolean | null }): boolean => p.durable === false;
/** a change's answer with the version that holds it (flux kvs put -s) */
function withSeq<T extends object>(answer: Promise<T> | T, rootseq: number): Promise<T & { rootseq: number }> | (T & { rootseq: number }) {
  return answer instanceof Promise ? answer.then((r) => ({ ...r, rootseq })) : { ...answer, rootseq };
}
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
  let read;
  try {
    read = await readKvsArchive(file, (_p, size) => opts.sizeLimit === undefined || size <= opts.sizeLimit);
  } catch (e) {
    throw new FluxError(Errno.EINVAL, `${opts.what}: ${file}: ${(e as Error).message}`);
  }
  for (const m of read) {
    const key = m.path.split('/').filter(Boolean).join('.');
    if (key === '') continue;
    // a symbolic link member is a kvs link to the key it names; a directory member may be an empty directory
    if (m.type === 'link') members.push({ key, text: '', link: m.link! });
    else if (m.type === 'dir') dirs.push(key);
    else if (m.data === undefined) skipped++;
    else members.push({ key, text: m.data.toString('utf8') });
  }
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
 * Rank 0: the namespaces (namespaces.ts), the primary one's store in memory
 * and its backing store. init() opens the backing store and loads any
 * archive before the module takes the kvs service. Every method that names
 * keys takes a namespace (none: primary); a guest may use only the ones it
 * owns, and read its own jobs' keys in the primary one.
 */
export class KvsLeader implements BrokerModule {
  private readonly spaces: Namespaces;
  private backing: Backing | undefined;
  /** what the store failed to take after it was answered, written again from the tree once it writes again (repair.ts) */
  private repairs: Repairs | undefined;
  /** kvs.commit transactions sent in parts */
  private readonly staged = new Staged();
  readonly handlers: HandlerTable = [
    method('get', (p, msg) => this.viaJob(p, msg, 'kvs.get', () => this.getMethod(p, msg)), { ownerOnly: false }),
    method('put', (p, msg) => this.viaJob(p, msg, 'kvs.put', () => this.put(p, msg)), { ownerOnly: false }),
    method('unlink', (p, msg) => this.viaJob(p, msg, 'kvs.unlink', () => this.unlink(p, msg)), { ownerOnly: false }),
    method('dir', (p, msg) => this.viaJob(p, msg, 'kvs.dir', () => this.dir(p, msg)), { ownerOnly: false }),
    method('link', (p, msg) => this.viaJob(p, msg, 'kvs.link', () => this.link(p, msg)), { ownerOnly: false }),
    method('readlink', (p, msg) => this.viaJob(p, msg, 'kvs.readlink', () => this.readlink(p, msg)), { ownerOnly: false }),
    method('mkdir', (p, msg) => this.viaJob(p, msg, 'kvs.mkdir', () => this.mkdir(p, msg)), { ownerOnly: false }),
    method('eventlog-append', (p, msg) => this.viaJob(p, msg, 'kvs.eventlog-append', () => this.eventlogAppend(p, msg)), { ownerOnly: false }),
    method('eventlog-close', (p, msg) => this.viaJob(p, msg, 'kvs.eventlog-close', () => this.eventlogClose(p, msg)), { ownerOnly: false }),
    method('commit', (p, msg) => this.viaJob(p, msg, 'kvs.commit', () => this.commit(p, msg)), { ownerOnly: false }),
    method('watch', (p, msg) => this.viaJob(p, msg, 'kvs.watch', () => this.watch(p, msg)), { ownerOnly: false }),
    // a guest's cancels reach only its own watches (by sender)
    method('watch-cancel', (p, msg) => this.watchCancel(p, msg), { ownerOnly: false }),
    method('stream-cancel', (p, msg) => this.streamCancel(p, msg), { ownerOnly: false }),
    method('pack', (p) => this.pack(p)),
    method('getroot', (p, msg) => this.getroot(p, msg), { ownerOnly: false }),
    method('wait-version', (p, msg) => this.waitVersion(p, msg), { ownerOnly: false }),
    method('dropcache', () => ({ dropped: [...this.spaces.all].reduce((n, s) => n + s.store.dropViews(), 0) })),
    method('namespace-create', (p) => {
      this.spaces.create(p.namespace, p.owner, p.flags);
      return {};
    }),
    method('namespace-remove', (p) => {
      this.spaces.remove(p.namespace);
      return {};
    }),
    // with the namespaces of the running jobs (job-spaces.ts)
    method('namespace-list', () => ({ namespaces: [...this.spaces.list(), ...this.jobs.list(this.store)].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0)) })),
    method('stats-get', () => this.statsGet()),
    method('stats-clear', () => this.statsClear()),
    // flux module stats --clear-all: every rank's kvs hears it (a follower's stats are rank 0's); the owner's only, as Flux
    event('kvs.stats-clear', ownerEvent(() => this.h, (msg) => msg.topic === 'kvs.stats-clear' && this.statsClear())),
    method('disconnect', (_p, msg) => this.disconnect(msg), { ownerOnly: false }),
  ];
  /** the running jobs' namespaces, views of their guest directories (job-spaces.ts) */
  private readonly jobs = new JobSpaces();
  /** requests made in a job's namespace, their keys moved to the primary one (viaJob()) */
  private readonly viaJobs = new WeakSet<Message>();
  /** the cold clock's next tick, while directories wait to be packed (pack()) */
  private coldTimer: NodeJS.Timeout | undefined;
  /** packing cold directories, a slice a turn */
  private packing = false;

  constructor(
    private readonly h: Handle,
    private readonly args: readonly string[],
  ) {
    this.spaces = new Namespaces(h, Number(h.getattr('security.owner') ?? process.getuid?.() ?? 0));
  }

  /** the primary namespace's store (the instance's data; the one with a backing store) */
  private get store(): Store {
    return this.spaces.primary.store;
  }

  async init(): Promise<void> {
    const h = this.h;
    const fromArgs = restoreArgs(this.args);
    const opened = await openStore(h, () => this.repairs?.writingAgain());
    const backing = (this.backing = opened.backing);
    const primary = this.spaces.primary;
    if (backing) {
      // the version continues from the one the store kept, and is kept with every change after
      primary.versions.start(backing.savedSeq());
      backing.seq = () => primary.versions.current;
    }
    let store = opened.store;
    const restore = h.getattr('content.restore');
    try {
      if (fromArgs) store = await restoreArchive(h, fromArgs.file, store, backing, fromArgs.opts);
      else if (restore) store = await restoreArchive(h, restore, store, backing, { what: 'content.restore', replace: false });
    } catch (e) {
      await backing?.close();
      throw e;
    }
    primary.store = store;
    store.onHint = () => this.armCold();
    if (backing) this.repairs = new Repairs(() => this.store, backing, (sev, msg) => h.log(sev, msg));
  }

  /** the namespace a request names (none: primary), checked for its sender (namespaces.ts) */
  private space(p: { namespace?: string | null }, msg: Message, topic: string, access: Access = 'use'): Space {
    if (this.viaJobs.has(msg)) return this.spaces.primary;
    return this.spaces.of(p.namespace, msg, topic, access);
  }

  /** the running job whose namespace a request names (not one made with namespace-create), else undefined */
  private jobSpace(p: { namespace?: string | null }, msg: Message, topic: string) {
    const ns = p.namespace;
    return ns === undefined || ns === null || this.spaces.has(ns) ? undefined : this.jobs.resolve(this.store, ns, msg, topic);
  }

  /** the directory of the running job namespace `ns` names (checked for the sender), else undefined */
  private jobPrefix(ns: string, msg: Message, topic: string): string | undefined {
    return this.spaces.has(ns) ? undefined : this.jobs.resolve(this.store, ns, msg, topic)?.prefix;
  }

  /**
   * A request that names keys: in a job's namespace (job-spaces.ts) they
   * are moved below its directory in the primary namespace, and those of
   * the answer and of an error moved back.
   */
  private viaJob<T>(p: { namespace?: string | null }, msg: Message, topic: string, run: () => T): T {
    const job = this.jobSpace(p, msg, topic);
    if (!job) {
      // a commit's copy from a job's namespace into another
      if ((p as { ops?: unknown }).ops !== undefined) sourcesInward(p as Record<string, unknown>, (ns) => this.jobPrefix(ns, msg, topic));
      return run();
    }
    const { prefix } = job;
    inward(p as Record<string, unknown>, prefix, (ns) => (ns === job.name ? prefix : this.jobPrefix(ns, msg, topic)));
    this.viaJobs.add(msg);
    let r: T;
    try {
      r = run();
    } catch (e) {
      throw errorOutward(e, prefix);
    }
    if (r === NO_RESPONSE) return r;
    if (r instanceof Promise) {
      return r.then(
        (v: unknown) => outward(v, prefix),
        (e: unknown) => {
          throw errorOutward(e, prefix);
        },
      ) as T;
    }
    return outward(r, prefix);
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
      await this.append(this.spaces.primary, { key: STARTLOG_KEY, entries: [entry] });
    } catch (e) {
      this.h.log('err', `${STARTLOG_KEY}: ${entry.name} event: ${(e as Error).message}`);
    }
  }

  /** rank 0's CLEANUP: the instance is shutting down (not a module reload), so stop() honours content.dump */
  cleanup(): undefined {
    this.shuttingDown = true;
    return undefined;
  }
  private shuttingDown = false;

  async stop(): Promise<void> {
    if (this.args.length === 0) await this.startlog(finishEvent());
    if (this.shuttingDown) await finalDump(this.h, this.store);
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
   * The answer once the change is on disk (at once without a backing store,
   * and for a namespace other than the primary one: those are in memory
   * only). A request with {durable: false} is answered once the change is
   * queued (answer.ts, ADR 0013).
   */
  private durable(sp: Space, keys: readonly string[], write: (b: Backing) => Promise<void>, queued = false): Promise<Empty> | Empty {
    const backing = this.backing;
    if (!backing || sp !== this.spaces.primary) return {};
    // a change nobody waits on is held a few ms to share a commit with others (backing.ts lazily)
    const p = queued ? backing.lazily(() => write(backing)) : write(backing);
    // after the write: a change the store refused at once (no room) has set the error
    const answer = answerWhen(p, queued, backing.error !== undefined, (c) => backing.durable(c)) as Promise<Empty> | Empty;
    // answered before its write failed: the disk gets it once the store writes again (repair.ts)
    if (!(answer instanceof Promise)) p.catch(() => this.repairs?.failed(keys));
    return answer;
  }

  private watch(p: KvsWatchRequest, msg: Message): typeof NO_RESPONSE {
    const { h } = this;
    if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
    const key = checkKey(p.key);
    const sp = this.space(p, msg, 'kvs.watch', 'read');
    const { store, watchers } = sp;
    if (sp === this.spaces.primary) checkGuestRead(store, msg, 'kvs.watch', key);
    const tag = p.tag ?? undefined;
    if (p.full === true) return this.watchFull(p, msg, key, sp);
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

  /** `kvs.watch {full: true}` (flux kvs get --watch --full): the value now, then checkFull after every change (watchers.ts) */
  private watchFull(p: KvsWatchRequest, msg: Message, key: string, sp: Space): typeof NO_RESPONSE {
    const { store, watchers } = sp;
    if (p.values !== true) throw einval('kvs.watch: full needs values');
    let last: string | undefined;
    if (store.has(key)) {
      const v = store.get(key);
      last = JSON.stringify(v);
      this.h.respond(msg, { value: v });
    } else if (store.isDir(key)) {
      throw new FluxError(Errno.EISDIR, `${key}: Is a directory`);
    } else if (p.waitcreate === false) {
      throw new FluxError(Errno.ENOENT, `${key}: No such file or directory`);
    }
    watchers.add({ key, msg, sender: senderOf(msg), tag: p.tag ?? undefined, values: true, full: true, last });
    return NO_RESPONSE;
  }

  private getMethod(p: Req<'get'>, msg: Message) {
    const key = checkKey(p.key);
    const sp = this.space(p, msg, 'kvs.get', 'read');
    if (sp === this.spaces.primary) checkGuestRead(sp.store, msg, 'kvs.get', key);
    return { value: sp.store.get(key) };
  }

  private put(p: Req<'put'>, msg: Message) {
    const quick = lazy(p);
    const key = checkKey(p.key);
    const sp = this.space(p, msg, 'kvs.put');
    const { store } = sp;
    const wasDir = store.isDir(key);
    const shadowed = store.leafAncestors(key);
    sp.watchers.shadowed(store, shadowed);
    const json = store.put(key, p.value);
    sp.watchers.notifyValue(key, p.value);
    const seq = sp.versions.bump();
    return withSeq(this.durable(sp, [key, ...shadowed], async (b) => {
      const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((k) => b.remove(k, false))];
      await Promise.all([...removed, b.putValue(key, json)]);
    }, quick), seq);
  }

  private unlink(p: Req<'unlink'>, msg: Message) {
    const key = checkKey(p.key);
    const sp = this.space(p, msg, 'kvs.unlink');
    const { store, watchers } = sp;
    const recursive = p.recursive === true;
    if (recursive) watchers.endingsBelow(store, key, Errno.ENOENT).forEach((end) => end());
    else watchers.ending(store, key, Errno.ENOENT)?.();
    const count = store.unlink(key, recursive);
    if (count === 0) return { count, rootseq: sp.versions.current };
    const rootseq = sp.versions.bump();
    const backing = this.backing;
    if (!backing || sp !== this.spaces.primary) return { count, rootseq };
    return backing.durable(backing.remove(key, recursive).catch(this.failed([key]))).then(() => ({ count, rootseq }));
  }

  private dir(p: Req<'dir'>, msg: Message) {
    const k = p.key;
    const { store } = this.space(p, msg, 'kvs.dir');
    const dir = k === undefined || k === null || k === '' || k === '.' ? '' : checkKey(k);
    // {extras: true}: the links and empty directories below it too (flux kvs ls/dir)
    if (p.extras !== true) return { keys: store.keys(dir) };
    const kind = store.kind(dir);
    return { keys: store.keys(dir), ...store.extras(dir), ...(kind ? { kind } : {}) };
  }

  private link(p: Req<'link'>, msg: Message) {
    const key = checkKey(p.key);
    const target = checkKey(p.target);
    const sp = this.space(p, msg, 'kvs.link');
    const { store } = sp;
    const wasDir = store.isDir(key);
    const shadowed = store.leafAncestors(key);
    sp.watchers.shadowed(store, shadowed);
    sp.watchers.end(key);
    store.link(key, target);
    const seq = sp.versions.bump();
    return withSeq(this.durable(sp, [key, ...shadowed], async (b) => {
      const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((s) => b.remove(s, false))];
      await Promise.all([...removed, b.putLink(key, target)]);
    }), seq);
  }

  private readlink(p: Req<'readlink'>, msg: Message) {
    const key = checkKey(p.key);
    return { target: this.space(p, msg, 'kvs.readlink').store.readlink(key) };
  }

  private mkdir(p: Req<'mkdir'>, msg: Message) {
    const key = checkKey(p.key);
    const sp = this.space(p, msg, 'kvs.mkdir');
    const { store, watchers } = sp;
    const shadowed = store.leafAncestors(key);
    watchers.shadowed(store, shadowed);
    watchers.endingsBelow(store, key, Errno.EISDIR).forEach((end) => end());
    store.mkdir(key);
    const seq = sp.versions.bump();
    return withSeq(this.durable(sp, [key, ...shadowed], async (b) => {
      await Promise.all([b.remove(key, true), ...shadowed.map((s) => b.remove(s, false))]);
      await b.putDir(key);
    }), seq);
  }

  private eventlogAppend(p: Req<'eventlog-append'>, msg: Message) {
    return this.append(this.space(p, msg, 'kvs.eventlog-append'), p);
  }

  private append(sp: Space, p: Req<'eventlog-append'>) {
    const quick = lazy(p);
    const key = checkKey(p.key);
    const entries = checkEntries(p.entries);
    const { store, watchers } = sp;
    const shadowed = store.leafAncestors(key);
    watchers.shadowed(store, shadowed);
    const { text, n } = store.append(key, entries);
    watchers.notify(key, entries);
    const close = p.close === true;
    if (sp === this.spaces.primary) this.jobs.appended(key, n);
    if (close) {
      store.close(key);
      watchers.end(key);
      this.jobs.closed(key);
    }
    sp.versions.bump();
    return this.durable(sp, [key, ...shadowed], async (b) => {
      const header = n === 1 && !close ? b.putLogHeader(key, false) : undefined;
      const lines = b.appendLog(key, n, text);
      // queued after the lines: a log on disk is never closed before its last entries
      const closed = close ? b.putLogHeader(key, true) : undefined;
      await Promise.all([...shadowed.map((k) => b.remove(k, false)), header, lines, closed]);
    }, quick);
  }

  private eventlogClose(p: Req<'eventlog-close'>, msg: Message) {
    const key = checkKey(p.key);
    const quick = lazy(p);
    const sp = this.space(p, msg, 'kvs.eventlog-close');
    sp.store.close(key);
    sp.watchers.end(key);
    this.jobs.closed(key);
    sp.versions.bump();
    return this.durable(sp, [key], (b) => b.putLogHeader(key, true), quick);
  }

  private commit(p: Req<'commit'>, msg: Message) {
    // checked before a part is kept: a guest stages nothing in a namespace it may not use
    const sp = this.space(p, msg, 'kvs.commit');
    const whole = p.txn === undefined || p.txn === null ? p.ops : this.staged.add(senderOf(msg), p.txn, p.ops, p.final === true);
    if (!whole) return {};
    // commit() throws before the tree changes, or changes it whole
    return commit(whole, {
      store: sp.store,
      watchers: sp.watchers,
      backing: sp === this.spaces.primary ? this.backing : undefined,
      sourceOf: (ns) => this.spaces.of(ns, msg, 'kvs.commit', 'use').store,
      applied: () => sp.versions.bump(),
    });
  }

  private getroot(p: Req<'getroot'>, msg: Message) {
    // a job's namespace: the primary one's version, the job's user as owner (job-spaces.ts)
    const job = this.jobSpace(p, msg, 'kvs.getroot');
    if (job) return { rootseq: this.spaces.primary.versions.current, owner: job.owner };
    const sp = this.space(p, msg, 'kvs.getroot');
    return { rootseq: sp.versions.current, owner: sp.owner };
  }

  private waitVersion(p: Req<'wait-version'>, msg: Message): typeof NO_RESPONSE {
    if (!Number.isSafeInteger(p.version) || p.version < 0) throw einval(`wait-version: invalid version ${p.version}`);
    const sp = this.jobSpace(p, msg, 'kvs.wait-version') ? this.spaces.primary : this.space(p, msg, 'kvs.wait-version');
    sp.versions.wait(p.version, msg, senderOf(msg));
    return NO_RESPONSE;
  }

  private watchCancel(p: Req<'watch-cancel'>, msg: Message) {
    const tag = p.tag;
    if (typeof tag !== 'string') throw einval('watch-cancel: tag is required');
    for (const sp of this.spaces.all) sp.watchers.cancel(senderOf(msg), tag);
    return {};
  }

  private streamCancel(p: Req<'stream-cancel'>, msg: Message) {
    for (const sp of this.spaces.all) sp.watchers.cancelStream(senderOf(msg), p.matchtag);
    return {};
  }

  private statsGet() {
    let watchers = 0;
    let cancelled = 0;
    let versionWaiters = 0;
    for (const sp of this.spaces.all) {
      watchers += sp.watchers.count;
      cancelled += sp.watchers.cancelled;
      versionWaiters += sp.versions.waiting;
    }
    return { keys: this.store.size, namespaces: this.spaces.size, watchers, cancelled, versionWaiters, pack: this.store.packStats(), ...(this.backing ? { backing: this.backing.file, store: this.backing.stats() } : {}) };
  }

  /** `stats-clear`: the counters of statsGet() start again from 0; what exists now stays */
  private statsClear() {
    for (const sp of this.spaces.all) {
      sp.watchers.cancelled = 0;
      sp.store.clearPackStats();
    }
    this.backing?.clearStats();
    return {};
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
    const sender = senderOf(msg);
    for (const sp of this.spaces.all) {
      sp.watchers.cancel(sender);
      sp.versions.drop(sender);
    }
    this.staged.drop(sender);
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

  cleanup(): Promise<string | undefined> | string | undefined {
    return this.role.cleanup?.();
  }
}

export default defineModule({
  name: 'kvs',
  description: 'Key-value store with eventlogs and watches, kept in the statedir',
  ranks: 'all',
  protocol: kvsProtocol,
  config: kvsConfigSchema,
  module: Kvs,
});
