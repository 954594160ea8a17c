/**
 * The overlay's service payloads, shared by the broker that answers and the
 * clients that ask (`flux overlay status`).
 */

/** a peer's (or a subtree's) status word, as Flux's overlay prints it */
export type PeerStatus = 'full' | 'partial' | 'degraded' | 'lost' | 'offline';

/** overlay.status: one broker and, below it, its subtree */
export interface StatusNode {
  rank: number;
  host: string;
  status: PeerStatus;
  /** seconds in this status; absent for ghosts */
  duration?: number;
  error?: string;
  /** round trip (ms) from the parent that asked; absent at the root and for ghosts */
  rtt?: number;
  /** filled in from the topology: the broker could not be asked */
  ghost?: boolean;
  /** unresponsive for tbon.torpid_max (its parent says so; duration is time torpid) */
  torpid?: boolean;
  children: StatusNode[];
}
