/**
 * What bootstrap tells the broker about its place in the instance, and the
 * life-cycle hooks the tree (overlay) gives the state machine. A singleton has a
 * trivial tree: no parent, no children, quorum of one.
 */
import type { OverlayPort } from '../router/router';
import type { BrokerState } from '../state/state-machine';

export interface BootInfo {
  rank: number;
  size: number;
  /** how we booted: 'single', 'simple' (PMI-1 wire), 'config' ... */
  method: string;
  /** host of every rank, in rank order */
  hostlist: string[];
  /** enclosing job id when launched by a Flux instance (PMI kvsname) */
  jobid?: string;
  instanceLevel: number;
  /** RFC 34 taskmap of brokers */
  mapping?: string;
}

export interface Tree {
  /** router's view of the overlay (undefined for a singleton) */
  readonly port: OverlayPort | undefined;
  /** JOIN: resolve when the parent is in QUORUM or RUN; reject if it fails */
  parentReady(): Promise<void>;
  /** QUORUM: rank 0 waits for broker.quorum members; followers for the parent's RUN */
  quorum(): Promise<void>;
  /** RUN on followers: resolve when the parent begins shutting down */
  runDone(): Promise<void>;
  /** SHUTDOWN: resolve when no child is connected any more */
  childrenGone(): Promise<void>;
  /** GOODBYE: tell the parent we are leaving */
  goodbye(): Promise<void>;
  /** tell the tree our state changed (children watch it) */
  stateChanged(s: BrokerState): void;
  close(): Promise<void>;
}

export class SingletonTree implements Tree {
  readonly port = undefined;
  parentReady(): Promise<void> {
    return Promise.resolve();
  }
  quorum(): Promise<void> {
    return Promise.resolve();
  }
  runDone(): Promise<void> {
    return new Promise(() => {});
  }
  childrenGone(): Promise<void> {
    return Promise.resolve();
  }
  goodbye(): Promise<void> {
    return Promise.resolve();
  }
  stateChanged(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}
