/**
 * The TBON parent of a rank as the overlay commands find it: from the
 * instance's size and tbon.topo (a singleton has none), with Flux's messages
 * for a rank out of range and for rank 0.
 */
import type { Client } from '../../api/client';
import { DEFAULT_TOPO, makeTopology } from '../../../lib/tree-topology';

/** The parent of `rank`, or the one-line complaint about it. */
export async function tbonParentOf(h: Client, rank: number): Promise<{ parent: number } | { bad: string }> {
  const size = Number(await h.getattr('size'));
  let topo = DEFAULT_TOPO;
  try {
    topo = await h.getattr('tbon.topo');
  } catch {
    /* singleton or default */
  }
  if (!(rank >= 0 && rank < size)) return { bad: `${rank} is not a valid rank in this instance` };
  const parent = makeTopology(topo, size).parentOf(rank);
  return parent === undefined ? { bad: `${rank} has no parent` } : { parent };
}
