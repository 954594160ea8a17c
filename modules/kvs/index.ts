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
 * commit.ts), watch (streaming), watch-cancel,
 * stream-cancel (the client's cancel of a watch by its matchtag, ADR 0011).
 */
import { randomUUID } from 'node:crypto';
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
  type Handle,
  type Message,
  type ModuleScope,
} from '../../kernel/api';
import * as path from 'node:path';
import { BACKING_FILE, Backing, checkHeader } from './backing';
import { answerWhen } from './answer';
import { Staged, commit } from './commit';
import { checkStore } from './store-check';
import * as tar from 'tar';
import { Store, checkEntries, checkKey, parseLog } from './store';
import { Watchers } from './watchers';
import { Repairs } from './repair';
import { checkGuestRead } from './guest-read';
import { kvsProtocol, type Empty, type KvsProtocol, type KvsWatchRequest } from '../../lib/protocol/kvs';

/** handler entries checked against modules/kvs/protocol.avsc */
const method = methods<KvsProtocol>();
/** {durable: false}: answer once queued for the disk, not once on it (ADR 0013); the protocol checks it is a boolean */
const lazy = (p: { durable?: boolean | null }): boolean => p.durable === false;
const senderOf = (msg: Message): string => msg.route[0] ?? '';
/** the matchtag a `stream-cancel` names */
/**
 * Open the backing store in the statedir and load the tree from it. A
 * statedir the broker made for this run only (statedir-cleanup=1) gets no
 * store: nothing in it would outlive the instance, and the tree in memory is
 * what every read is served from anyway (writing it to LMDB cost about 0.8 ms
 * of the broker's time per job: docs/notes/throughput.md).
 */
async function openStore(h: Handle, writingAgain: () => void): Promise<{ store: Store; backing?: Backing }> {
  const store = new Store();
  const dir = h.getattr('statedir');
  if (dir === undefined || h.getattr('statedir-cleanup') === '1') return { store };
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
  for (const r of backing.records()) {
    if (r.n > 0) store.loadChunk(r.key, r.n, r.text);
    else if (r.text.startsWith('v')) store.loadValue(r.key, r.text.slice(1));
    else if (r.text.startsWith('L')) store.loadLink(r.key, r.text.slice(1));
    else if (r.text === 'd') store.loadDir(r.key);
    else store.loadLog(r.key, r.text === 'c');
  }
  store.loaded();
  if (store.size > 0) h.log('info', `restored ${store.size} keys from ${backing.file}`);
  return { store, backing };
}

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

async function leader(h: Handle, args: readonly string[]): Promise<BrokerModule> {
  const fromArgs = restoreArgs(args);
  let repairs: Repairs | undefined;
  const opened = await openStore(h, () => repairs?.writingAgain());
  const backing = opened.backing;
  let store = opened.store;
  const restore = h.getattr('content.restore');
  try {
    if (fromArgs) store = await restoreArchive(h, fromArgs.file, store, backing, fromArgs.opts);
    else if (restore) store = await restoreArchive(h, restore, store, backing, { what: 'content.restore', replace: false });
  } catch (e) {
    await backing?.close();
    throw e;
  }
  // what the store failed to take is written again from the tree once it writes again (repair.ts)
  if (backing) repairs = new Repairs(() => store, backing, (sev, msg) => h.log(sev, msg));
  const failed = (keys: readonly string[]) => (e: unknown) => {
    repairs?.failed(keys);
    throw e;
  };
  const watchers = new Watchers(h);
  /** kvs.commit transactions sent in parts */
  const staged = new Staged();
  /**
   * The answer once the change is on disk (at once without a backing store).
   * A request with {durable: false} is answered once the change is queued
   * (answer.ts, ADR 0013).
   */
  const durable = (keys: readonly string[], write: (b: Backing) => Promise<void>, queued = false): Promise<Empty> | Empty => {
    if (!backing) return {};
    // a change nobody waits on is held a few ms to share a commit with others (backing.ts lazily)
    const p = queued ? backing.lazily(() => write(backing)) : write(backing);
    // after the write: a change the store refused at once (no room) has set the error
    const answer = answerWhen(p, queued, backing.error !== undefined, (c) => backing.durable(c)) as Promise<Empty> | Empty;
    // answered before its write failed: the disk gets it once the store writes again (repair.ts)
    if (!(answer instanceof Promise)) p.catch(failed(keys)).catch(() => undefined);
    return answer;
  };

  const watch = (p: KvsWatchRequest, msg: Message): typeof NO_RESPONSE => {
    if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
    const key = checkKey(p.key);
    checkGuestRead(store, msg, 'kvs.watch', key);
    const tag = p.tag ?? undefined;
    if (store.has(key)) {
      if (!store.isLog(key)) {
        h.respond(msg, { value: store.get(key) });
        // {values: true}: every later put of the key too (flux kvs get --watch)
        if (p.values === true) watchers.add({ key, msg, sender: senderOf(msg), tag });
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
    watchers.add({ key, msg, sender: senderOf(msg), tag });
    return NO_RESPONSE;
  };

  return {
    handlers: [
      method(
        'get',
        (p, msg) => {
          const key = checkKey(p.key);
          checkGuestRead(store, msg, 'kvs.get', key);
          return { value: store.get(key) };
        },
        { ownerOnly: false },
      ),
      method('put', (p) => {
        const quick = lazy(p);
        const key = checkKey(p.key);
        const wasDir = store.isDir(key);
        const shadowed = store.leafAncestors(key);
        const json = store.put(key, p.value);
        watchers.notifyValue(key, p.value);
        return durable([key, ...shadowed], async (b) => {
          const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((k) => b.remove(k, false))];
          await Promise.all([...removed, b.putValue(key, json)]);
        }, quick);
      }),
      method('unlink', (p) => {
        const key = checkKey(p.key);
        const recursive = p.recursive === true;
        if (recursive) for (const k of store.keys(key)) watchers.end(k);
        watchers.end(key);
        const count = store.unlink(key, recursive);
        if (count === 0 || !backing) return { count };
        return backing.durable(backing.remove(key, recursive).catch(failed([key]))).then(() => ({ count }));
      }),
      method('dir', (p) => {
        const k = p.key;
        const dir = k === undefined || k === null || k === '' || k === '.' ? '' : checkKey(k);
        // {extras: true}: the links and empty directories below it too (flux kvs ls/dir)
        if (p.extras !== true) return { keys: store.keys(dir) };
        const kind = store.kind(dir);
        return { keys: store.keys(dir), ...store.extras(dir), ...(kind ? { kind } : {}) };
      }),
      method('link', (p) => {
        const key = checkKey(p.key);
        const target = checkKey(p.target);
        const wasDir = store.isDir(key);
        const shadowed = store.leafAncestors(key);
        watchers.end(key);
        store.link(key, target);
        return durable([key, ...shadowed], async (b) => {
          const removed = [wasDir ? b.remove(key, true) : undefined, ...shadowed.map((s) => b.remove(s, false))];
          await Promise.all([...removed, b.putLink(key, target)]);
        });
      }),
      method('readlink', (p) => ({ target: store.readlink(checkKey(p.key)) })),
      method('mkdir', (p) => {
        const key = checkKey(p.key);
        const shadowed = store.leafAncestors(key);
        for (const k of store.keys(key)) watchers.end(k);
        watchers.end(key);
        store.mkdir(key);
        return durable([key, ...shadowed], async (b) => {
          await Promise.all([b.remove(key, true), ...shadowed.map((s) => b.remove(s, false))]);
          await b.putDir(key);
        });
      }),
      method('eventlog-append', (p) => {
        const quick = lazy(p);
        const key = checkKey(p.key);
        const entries = checkEntries(p.entries);
        const shadowed = store.leafAncestors(key);
        const { text, n } = store.append(key, entries);
        watchers.notify(key, entries);
        return durable([key, ...shadowed], async (b) => {
          const header = n === 1 ? b.putLogHeader(key, false) : undefined;
          await Promise.all([...shadowed.map((k) => b.remove(k, false)), header, b.appendLog(key, n, text)]);
        }, quick);
      }),
      method('eventlog-close', (p) => {
        const key = checkKey(p.key);
        const quick = lazy(p);
        store.close(key);
        watchers.end(key);
        return durable([key], (b) => b.putLogHeader(key, true), quick);
      }),
      method('commit', (p, msg) => {
        if (p.txn === undefined || p.txn === null) return commit(p.ops, store, watchers, backing);
        const whole = staged.add(senderOf(msg), p.txn, p.ops, p.final === true);
        return whole ? commit(whole, store, watchers, backing) : {};
      }),
      method('watch', watch, { ownerOnly: false }),
      // a guest's cancels reach only its own watches (by sender)
      method(
        'watch-cancel',
        (p, msg) => {
          const tag = p.tag;
          if (typeof tag !== 'string') throw einval('watch-cancel: tag is required');
          watchers.cancel(senderOf(msg), tag);
          return {};
        },
        { ownerOnly: false },
      ),
      method(
        'stream-cancel',
        (p, msg) => {
          watchers.cancelStream(senderOf(msg), p.matchtag);
          return {};
        },
        { ownerOnly: false },
      ),
      method('stats-get', () => ({ keys: store.size, watchers: watchers.count, cancelled: watchers.cancelled, ...(backing ? { backing: backing.file, store: backing.stats() } : {}) })),
      method(
        'disconnect',
        (_p, msg) => {
          watchers.cancel(senderOf(msg));
          staged.drop(senderOf(msg));
          return NO_RESPONSE;
        },
        { ownerOnly: false },
      ),
    ],
    async stop() {
      if (!backing) return;
      // a last try for what the store could not take; what is still left is said, not dropped silently
      if (repairs && repairs.size > 0) await repairs.flush();
      if (repairs && repairs.size > 0) h.log('err', `store ${backing.file}: ${repairs.size} keys changed while it could not write are not on disk: a restart will not have them`);
      if (!(await backing.close())) h.log('err', `${backing.file}: close did not finish in time`);
    },
  };
}

/** Followers: forward everything to rank 0, relaying watch streams. */
function follower(h: Handle): BrokerModule {
  const relays = new Map<string, Map<string, () => void>>();
  /** `${sender}:${matchtag}` of a relayed watch -> its tag in relays (kvs.stream-cancel) */
  const relayTags = new Map<string, string>();
  /** forwarded as it came (rank 0 answers with the method's response) */
  const forward = (name: keyof KvsProtocol & string) =>
    request(name, (msg, req) => h.rpc(`kvs.${name}`, req, { nodeid: 0 }));
  const stopAll = (sender: string) => {
    const m = relays.get(sender);
    if (!m) return;
    relays.delete(sender);
    for (const stop of m.values()) stop();
  };
  return {
    handlers: [
      forward('get'),
      forward('put'),
      forward('unlink'),
      forward('dir'),
      forward('link'),
      forward('readlink'),
      forward('mkdir'),
      forward('eventlog-append'),
      forward('eventlog-close'),
      forward('commit'),
      forward('stats-get'),
      method('watch', (p, msg) => {
        if (!(msg.flags & MsgFlag.Streaming)) throw eproto('kvs.watch: request must be streaming');
        const sender = senderOf(msg);
        const userTag = p.tag ?? randomUUID();
        const upTag = randomUUID();
        const s = h.rpcStream('kvs.watch', { ...p, tag: upTag }, {
          nodeid: 0,
          onResponse: (p) => h.respond(msg, p),
        });
        let m = relays.get(sender);
        if (!m) relays.set(sender, (m = new Map()));
        // the stream's own cancel tells rank 0 (kvs.stream-cancel); done then answers the client ENODATA
        const stop = () => void s.cancel();
        m.set(userTag, stop);
        relayTags.set(`${sender}:${msg.matchtag}`, userTag);
        void s.done.finally(() => relayTags.delete(`${sender}:${msg.matchtag}`)).catch(() => undefined);
        s.done.then(
          () => {
            relays.get(sender)?.delete(userTag);
            h.respondError(msg, Errno.ENODATA);
          },
          (e: { errno?: number; message?: string }) => {
            relays.get(sender)?.delete(userTag);
            h.respondError(msg, e.errno ?? Errno.EIO, e.message);
          },
        );
        return NO_RESPONSE;
      }),
      method('watch-cancel', (p, msg) => {
        const tag = p.tag;
        const m = relays.get(senderOf(msg));
        if (typeof tag === 'string' && m?.has(tag)) {
          m.get(tag)!();
          m.delete(tag);
        }
        return {};
      }),
      method('stream-cancel', (p, msg) => {
        const sender = senderOf(msg);
        const tag = relayTags.get(`${sender}:${p.matchtag}`);
        const stop = tag === undefined ? undefined : relays.get(sender)?.get(tag);
        if (stop) {
          relays.get(sender)!.delete(tag!);
          stop();
        }
        return {};
      }),
      method(
        'disconnect',
        (_p, msg) => {
          stopAll(senderOf(msg));
          return NO_RESPONSE;
        },
        { ownerOnly: false },
      ),
    ],
  };
}

export default defineModule({
  name: 'kvs',
  description: 'Key-value store with eventlogs and watches, kept in the statedir',
  ranks: 'all',
  protocol: kvsProtocol,
  create(scope: ModuleScope): BrokerModule | Promise<BrokerModule> {
    if (scope.handle.rank !== 0 && scope.args.length > 0) throw einval('kvs: module arguments are for rank 0 only');
    return scope.handle.rank === 0 ? leader(scope.handle, scope.args) : follower(scope.handle);
  },
});
