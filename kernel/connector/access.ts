/**
 * Who may use the instance through its local socket ([access], as Flux's
 * flux-config-access(5)). The connector asks the kernel for each client's uid
 * (SO_PEERCRED, through the flux-ts addon) and decides here, never from what
 * the client says:
 * - the instance owner, or root when `allow-root-owner` is set: OWNER|LOCAL;
 * - anyone else, when `allow-guest-user` is set: USER|LOCAL with its own uid;
 * - anyone else otherwise: refused (EPERM in the one-byte handshake).
 * Without the addon the uid is unknown; then only the owner-only socket
 * directory keeps others out (ADR 0003), so guests cannot be allowed at all.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { MsgFlag, Role, type Message } from '../message/message';

export interface AccessPolicy {
  readonly owner: number;
  readonly allowGuestUser: boolean;
  readonly allowRootOwner: boolean;
}

export interface Credentials {
  readonly userid: number;
  readonly rolemask: number;
}

/** The [access] table of a checked config (the schema has typed it already). */
export function accessPolicy(config: Readonly<Record<string, unknown>>, owner = process.getuid?.() ?? 0): AccessPolicy {
  const t = (config['access'] ?? {}) as { 'allow-guest-user'?: boolean; 'allow-root-owner'?: boolean };
  return { owner, allowGuestUser: t['allow-guest-user'] === true, allowRootOwner: t['allow-root-owner'] === true };
}

/** Throws one line when the policy cannot be kept on this build (no way to learn a peer's uid). */
export function checkEnforceable(p: AccessPolicy, canReadPeerUid: boolean): void {
  if ((p.allowGuestUser || p.allowRootOwner) && !canReadPeerUid) {
    const key = p.allowGuestUser ? 'allow-guest-user' : 'allow-root-owner';
    throw new FluxError(Errno.EINVAL, `access.${key}: needs the flux-ts addon (dist/native/flux-ts.node) to read client credentials; it is not built`);
  }
}

/**
 * The credentials a client of `uid` gets, or undefined when it is refused.
 * `uid` undefined: the kernel could not tell; only the owner can have reached
 * the owner-only socket then.
 */
export function credentialsFor(p: AccessPolicy, uid: number | undefined): Credentials | undefined {
  if (uid === undefined) return p.allowGuestUser ? undefined : { userid: p.owner, rolemask: Role.Owner | Role.Local };
  if (uid === p.owner || (uid === 0 && p.allowRootOwner)) return { userid: uid, rolemask: Role.Owner | Role.Local };
  if (p.allowGuestUser) return { userid: uid, rolemask: Role.User | Role.Local };
  return undefined;
}

/**
 * Whether a client may be sent an event, by Flux's rule: the owner role gets
 * every event, another user a private one (flux event pub --private) only if
 * it carries that user's id, i.e. the user published it.
 */
export function mayReceiveEvent(cred: Credentials, ev: Pick<Message, 'flags' | 'userid'>): boolean {
  return (cred.rolemask & Role.Owner) !== 0 || (ev.flags & MsgFlag.Private) === 0 || ev.userid === cred.userid;
}
