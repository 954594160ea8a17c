/**
 * What a guest ([access] allow-guest-user: a client that is not the instance
 * owner, with the user role) may do to jobs, as Flux's job-manager: act on its
 * own jobs only; the owner may act on anyone's. The userid is the one the
 * connector stamped from the kernel's credentials, never one in a payload.
 */
import { Errno, FluxError, Role, type Message } from '../../kernel/api';
import type { Job } from './job';

export const isOwner = (msg: Message): boolean => (msg.rolemask & Role.Owner) !== 0;

/** EPERM, in Flux's words for `what`, unless msg comes from the owner or the job's submitter. */
export function checkOwnJob(msg: Message, job: Job, what: string): void {
  if (!isOwner(msg) && msg.userid !== job.userid) throw new FluxError(Errno.EPERM, `guests can only ${what} their own jobs`);
}

/** The userid a guest's request for "all jobs of user N" may name: its own only. */
export function guestUserid(msg: Message, requested: number, what: string): number {
  if (isOwner(msg) || requested === msg.userid) return requested;
  throw new FluxError(Errno.EPERM, `guests can only ${what} their own jobs`);
}

/** `[access] private-mode` (Flux's, RFC 43): guests see their own jobs only. */
export function privateMode(config: Readonly<Record<string, unknown>>): boolean {
  const access = config['access'];
  return typeof access === 'object' && access !== null && (access as Record<string, unknown>)['private-mode'] === true;
}
