/**
 * KVS namespaces (flux-kvs(1) namespace create/remove/list, -N): the primary
 * namespace, which holds the instance's data and lives in the backing store,
 * and the ones `flux kvs namespace create` makes, each a tree, a version and
 * watches of its own, in memory only. As in Flux, whose kvs checkpoints only
 * the primary namespace's root, they are gone after a restart.
 *
 * Access, as Flux's kvsroot_check_user: the instance owner may do anything in
 * any namespace; a guest only what the namespace's owner (`create -o UID`)
 * may. In the primary namespace a guest reads the keys of its own jobs and
 * nothing else (guest-read.ts). A namespace that does not exist is ENOTSUP
 * (`flux-kvs: KEY: Operation not supported`), as in Flux.
 */
import { Errno, FluxError, Role, einval, type Handle, type Message } from '../../kernel/api';
import { Store } from './store';
import { Versions } from './version';
import { Watchers } from './watchers';

export const PRIMARY = 'primary';
/** the longest namespace name, in bytes */
export const NS_NAME_MAX = 255;

export interface Space {
  readonly name: string;
  /** the uid that may use it besides the instance owner */
  readonly owner: number;
  /** Flux's namespace flags (none are defined that flux-ts uses): listed as given */
  readonly flags: number;
  /** the tree (the primary one is replaced by flux restore --checkpoint) */
  store: Store;
  readonly versions: Versions;
  readonly watchers: Watchers;
}

/**
 * What a request may do in a namespace: `read` (get, watch: in the primary
 * namespace a guest may go on to read its own jobs' keys) or `use`
 * (everything else).
 */
export type Access = 'read' | 'use';

/** the line a guest gets for the primary namespace, as the module host words its refusals */
const OWNER_ONLY = 'Request requires owner credentials';

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || /[\s\p{Cc}]/u.test(name)) throw einval(`invalid namespace name ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name) > NS_NAME_MAX) throw einval(`namespace name is longer than ${NS_NAME_MAX} bytes`);
  return name;
}

export class Namespaces {
  private readonly spaces = new Map<string, Space>();
  readonly primary: Space;

  /** `owner`: the instance owner's uid (the primary namespace's owner, and a new one's by default) */
  constructor(
    private readonly h: Handle,
    readonly owner: number,
  ) {
    this.primary = this.add(PRIMARY, owner, 0);
  }

  private add(name: string, owner: number, flags: number): Space {
    const watchers = new Watchers(this.h);
    // the store is read at each change: flux restore --checkpoint replaces the primary one
    const sp: Space = { name, owner, flags, store: new Store(), versions: new Versions(this.h, () => watchers.checkFull(sp.store)), watchers };
    this.spaces.set(name, sp);
    return sp;
  }

  get all(): IterableIterator<Space> {
    return this.spaces.values();
  }

  has(name: string): boolean {
    return this.spaces.has(name);
  }

  get size(): number {
    return this.spaces.size;
  }

  /**
   * The namespace a request names (none: the primary one), or ENOTSUP; EPERM
   * for a guest that may not use it. `topic` words the refusal.
   */
  of(name: string | null | undefined, msg: Message, topic: string, access: Access): Space {
    const owner = (msg.rolemask & Role.Owner) !== 0;
    if ((name === undefined || name === null || name === PRIMARY) && owner) return this.primary;
    const ns = name ?? PRIMARY;
    const sp = this.spaces.get(ns);
    if (!sp) throw new FluxError(Errno.EOPNOTSUPP, `${topic}: namespace ${ns} does not exist`);
    if (owner) return sp;
    if (sp === this.primary) {
      if (access === 'read') return sp;
      throw new FluxError(Errno.EPERM, `${topic}: ${OWNER_ONLY}`);
    }
    if ((msg.rolemask & Role.User) !== 0 && msg.userid === sp.owner) return sp;
    throw new FluxError(Errno.EPERM, `${topic}: namespace ${ns} belongs to uid ${sp.owner}`);
  }

  /** a new namespace (EEXIST if the name is taken) */
  create(name: string, owner: number | null | undefined, flags: number | null | undefined): Space {
    checkName(name);
    if (this.spaces.has(name)) throw new FluxError(Errno.EEXIST, `namespace ${name} exists`);
    const uid = owner ?? this.owner;
    if (!Number.isSafeInteger(uid) || uid < 0 || uid > 0xfffffffe) throw einval(`namespace ${name}: invalid owner ${uid}`);
    return this.add(name, uid, flags ?? 0);
  }

  /**
   * Remove a namespace: its watches and version waits end with ENOTSUP, as
   * in Flux. One that does not exist is no error; the primary one is ENOTSUP
   * (in any case of its name, as Flux compares it).
   */
  remove(name: string): void {
    if (name.toLowerCase() === PRIMARY) throw new FluxError(Errno.EOPNOTSUPP, `namespace ${name} cannot be removed`);
    const sp = this.spaces.get(name);
    if (!sp) return;
    this.spaces.delete(name);
    const why = `namespace ${name} was removed`;
    sp.watchers.endAll(Errno.EOPNOTSUPP, why);
    sp.versions.abort(Errno.EOPNOTSUPP, why);
  }

  /** every namespace, by name */
  list(): Array<{ namespace: string; owner: number; flags: number }> {
    return [...this.spaces.values()].map((s) => ({ namespace: s.name, owner: s.owner, flags: s.flags })).sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  }
}
