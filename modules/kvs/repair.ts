/**
 * Changes the backing store did not take (a full filesystem, a failed
 * commit) after the kvs had answered them: a change nobody waited on
 * ({durable: false}: a job's state-machine and exec events, its output) is
 * answered once queued, so when its write fails later the requester never
 * hears of it, and a restart would bring the job back as it was before the
 * store filled, or with a gap in an eventlog. A removal (kvs.unlink, a purge)
 * that failed is one too: the tree no longer has the key, the disk would.
 *
 * Each such change names its keys here; once the store writes again (its
 * first successful write), every such key's subtree is written again from the
 * tree in one transaction (what the disk held there is replaced by what the
 * tree has, which may be nothing). A change answered with the error (a
 * durable one) is not repaired: its requester was told it failed, e.g. a
 * submission refused while the store was full.
 */
import type { Backing } from './backing';
import type { Store } from './store';

/** the keys in `keys` that no other one of them is below (or equal to) */
export function tops(keys: Iterable<string>): string[] {
  const sorted = [...new Set(keys)].sort();
  const out: string[] = [];
  for (const k of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && k.startsWith(last + '.')) continue;
    out.push(k);
  }
  return out;
}

export class Repairs {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: () => Store,
    private readonly backing: Backing,
    private readonly log: (severity: 'err' | 'notice', msg: string) => void,
  ) {}

  /** the write of a change to `keys` failed (the tree has the change) */
  failed(keys: readonly string[]): void {
    for (const k of keys) this.dirty.add(k);
  }

  /** keys waiting to be written again */
  get size(): number {
    return this.dirty.size;
  }

  /** the store wrote something: write the dirty keys again, after the writes queued now */
  writingAgain(): void {
    if (this.dirty.size === 0 || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** one transaction for every dirty key's subtree, as the tree has it now */
  flush(): Promise<void> {
    if (this.running) return this.running;
    if (this.dirty.size === 0) return Promise.resolve();
    const roots = tops(this.dirty);
    this.dirty.clear();
    const store = this.store();
    const records = roots.flatMap((k) => [...store.records(k)]);
    const p = this.backing.transact(roots, [], records).then(
      () => this.log('notice', `store ${this.backing.file}: ${roots.length} keys changed while it could not write are written again`),
      () => this.failed(roots),
    );
    this.running = p.finally(() => (this.running = undefined));
    return this.running;
  }
}
