/**
 * kvs.commit: a transaction of several changes, all or nothing (flux kvs
 * copy/move, flux restore --key). The ops are made in the tree in order
 * inside a store transaction (store.ts begin/rollback): the first that fails
 * undoes the ones before it and is the answer, and no watcher hears of any.
 * Once all are made, the watchers are told and the backing store gets one
 * LMDB transaction (backing.ts transact) that removes what every changed key
 * held and writes what the tree now holds there; the answer waits for it to
 * be on disk. A copy may name the namespace its source is in (`from`:
 * flux kvs copy -S); the transaction is the destination's.
 */
import { einval, Errno } from '../../kernel/api';
import type { Backing } from './backing';
import { checkEntries, checkKey, type Store } from './store';
import type { Watchers } from './watchers';
import { tops } from './repair';

/** the most ops in one commit (a restore of a large archive is a few hundred thousand keys at most) */
export const COMMIT_MAX_OPS = 1_000_000;
/** transactions being sent in parts at once (all clients); the oldest is dropped past this */
const STAGED_MAX = 64;

/**
 * Transactions sent in parts (kvs.commit {txn, final}): a message holds at
 * most 16 MiB, a restored archive can be larger. The parts are kept, by
 * client and name, until the final one; a client that goes away drops its.
 */
export class Staged {
  private readonly parts = new Map<string, object[]>();

  /** add a part; the whole transaction once `final` (else undefined) */
  add(sender: string, txn: string, ops: readonly object[], final: boolean): object[] | undefined {
    const k = `${sender}:${txn}`;
    const have = this.parts.get(k) ?? [];
    this.parts.delete(k);
    for (const o of ops) have.push(o);
    if (final) return have;
    if (have.length > COMMIT_MAX_OPS) throw einval(`commit: more than ${COMMIT_MAX_OPS} ops`);
    this.parts.set(k, have);
    if (this.parts.size > STAGED_MAX) this.parts.delete(this.parts.keys().next().value!);
    return undefined;
  }

  /** the client went away */
  drop(sender: string): void {
    for (const k of [...this.parts.keys()]) if (k.startsWith(`${sender}:`)) this.parts.delete(k);
  }
}

type Op =
  | { op: 'put'; key: string; value: unknown }
  | { op: 'unlink'; key: string; recursive?: boolean }
  | { op: 'link'; key: string; target: string }
  | { op: 'mkdir'; key: string }
  | { op: 'append'; key: string; entries: unknown }
  | { op: 'copy'; src: string; dst: string; from?: string };

function checkOp(o: Record<string, unknown>): Op {
  switch (o.op) {
    case 'put':
      if (o.value === undefined) throw einval(`commit: put ${String(o.key)}: missing value`);
      return { op: 'put', key: checkKey(o.key), value: o.value };
    case 'unlink':
      return { op: 'unlink', key: checkKey(o.key), recursive: o.recursive === true };
    case 'link':
      return { op: 'link', key: checkKey(o.key), target: checkKey(o.target) };
    case 'mkdir':
      return { op: 'mkdir', key: checkKey(o.key) };
    case 'append':
      return { op: 'append', key: checkKey(o.key), entries: o.entries };
    case 'copy':
      if (o.from !== undefined && o.from !== null && typeof o.from !== 'string') throw einval('commit: copy: from must be a namespace name');
      return { op: 'copy', src: checkKey(o.src), dst: checkKey(o.dst), ...(typeof o.from === 'string' ? { from: o.from } : {}) };
    default:
      throw einval(`commit: unknown op ${JSON.stringify(o.op)}`);
  }
}

/** where a commit is made, and what it is told */
export interface CommitTarget {
  store: Store;
  watchers: Watchers;
  /** the backing store (the primary namespace's, with a statedir) */
  backing: Backing | undefined;
  /** the store of the namespace a copy names (checked for the sender), else throws */
  sourceOf: (namespace: string) => Store;
  /** the tree has changed (the version goes up before the disk is told): the new version */
  applied: () => number;
}

/** the answer: the version that holds the whole transaction (flux kvs put -s) */
export interface CommitAnswer {
  rootseq: number;
}

export function commit(ops: readonly object[], target: CommitTarget): Promise<CommitAnswer> | CommitAnswer {
  const { store, watchers, backing } = target;
  if (ops.length > COMMIT_MAX_OPS) throw einval(`commit: more than ${COMMIT_MAX_OPS} ops`);
  const checked = ops.map((o) => checkOp(o as Record<string, unknown>));
  // every namespace a copy reads from, resolved (and its access checked) before the tree changes
  const sources = new Map<string, Store>();
  for (const o of checked) if (o.op === 'copy' && o.from !== undefined && !sources.has(o.from)) sources.set(o.from, target.sourceOf(o.from));
  /** keys whose subtree the disk gets again from the tree; values a directory replaced */
  const changed: string[] = [];
  const shadowed: string[] = [];
  /** what the watchers hear once every op is made */
  const told: Array<() => void> = [];
  /** key's watches end (those below it too); a value removed or made a directory (errnum) fails its value watches */
  const ending = (key: string, errnum?: number) => told.push(...watchers.endingsBelow(store, key, errnum));
  store.begin();
  try {
    for (const o of checked) {
      const key = o.op === 'copy' ? o.dst : o.key;
      // a value or eventlog on key's path becomes a directory: its watches end (a value's: EISDIR)
      for (const k of store.leafAncestors(key)) {
        shadowed.push(k);
        const end = watchers.ending(store, k, Errno.EISDIR);
        if (end) told.push(end);
      }
      changed.push(key);
      switch (o.op) {
        case 'put': {
          store.put(key, o.value);
          const v = o.value;
          told.push(() => watchers.notifyValue(key, v));
          break;
        }
        case 'unlink':
          ending(key, Errno.ENOENT);
          store.unlink(key, o.recursive === true);
          break;
        case 'link':
          ending(key);
          store.link(key, o.target);
          break;
        case 'mkdir':
          ending(key, Errno.EISDIR);
          store.mkdir(key);
          break;
        case 'append': {
          const entries = checkEntries(o.entries);
          store.append(key, entries);
          told.push(() => watchers.notify(key, entries));
          break;
        }
        case 'copy': {
          ending(key);
          store.copy(o.src, key, o.from === undefined ? store : sources.get(o.from));
          break;
        }
      }
    }
  } catch (e) {
    store.rollback();
    throw e;
  }
  store.end();
  const rootseq = target.applied();
  for (const t of told) t();
  if (!backing) return { rootseq };
  const roots = tops(changed);
  const records = roots.flatMap((k) => [...store.records(k)]);
  return backing.durable(backing.transact(roots, [...new Set(shadowed)], records)).then(() => ({ rootseq }));
}
