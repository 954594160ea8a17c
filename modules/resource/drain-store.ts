/**
 * Drained nodes survive a restart (issue 12, as Flux keeps drain events in
 * its resource.eventlog): rank 0 keeps the drain set in the kvs key
 * `resource.drain` (`{"<idset>": {timestamp, reason}}`, as `flux resource
 * status` reads it) and reads it back when the module starts. With a statedir
 * the kvs is on disk, so an administrator's drain reasons outlive an upgrade;
 * without one the kvs is temporary and so is this. A failed write is logged,
 * never the drain request's failure: the drain itself has happened.
 */
import { idset } from '../../kernel/api';
import type { Handle } from '../../kernel/api';
import type { DrainEntry, DrainSet } from './drain';

export const DRAIN_KEY = 'resource.drain';

/** Restore the drains of an earlier run; ranks beyond the instance's size are dropped. */
export async function loadDrains(h: Handle, drains: DrainSet, size: number): Promise<void> {
  let value: unknown;
  try {
    value = (await h.rpc<{ value?: unknown }>('kvs.get', { key: DRAIN_KEY })).value;
  } catch {
    return; // none kept (first start, or no kvs)
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [ids, e] of Object.entries(value as Record<string, Partial<DrainEntry>>)) {
    let ranks: number[];
    try {
      ranks = idset.decode(ids).filter((r) => r < size);
    } catch {
      continue;
    }
    if (typeof e?.timestamp === 'number' && typeof e.reason === 'string') drains.drain(ranks, e.reason, undefined, e.timestamp);
  }
}

/** Keep the drain set as it is now (writes are chained, so the last one wins). */
export class DrainWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly h: Handle) {}

  save(drains: DrainSet): void {
    const value = drains.toObject();
    this.chain = this.chain.then(() =>
      this.h.rpc('kvs.put', { key: DRAIN_KEY, value }).then(
        () => undefined,
        (e: Error) => this.h.log('err', `${DRAIN_KEY}: ${e.message}`),
      ),
    );
  }
}
