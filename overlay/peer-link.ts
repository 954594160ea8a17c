/**
 * What the overlay needs of a link to one peer broker, whatever carries it:
 * SecureLink (a CURVE-encrypted socket, secure-link.ts) between processes, or
 * InprocLink (inproc-link.ts) between brokers that share one process.
 */
import type { Message } from '../kernel/message/message';

export interface PeerLink {
  /** who the peer is (a rank, or '*' for "one of ours" under a shared certificate) */
  readonly peerName: string;
  /** when we last heard from the peer (ms since the epoch) */
  readonly lastRecv: number;
  readonly isOpen: boolean;
  onMessage: (m: Message) => void;
  onClose: (why: string) => void;
  /** false when the link is closed; throws for a message it cannot carry */
  send(m: Message): boolean;
  close(): void;
}

/** How long what we sent has waited unread (tbon.tcp_user_timeout); socket links only. */
export interface Stall {
  stalledFor(now: number): number;
  forgive(now: number): void;
}
