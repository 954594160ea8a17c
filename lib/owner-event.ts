/**
 * Events with an effect heed only the instance owner. A guest may publish
 * any event (flux event pub, as in Flux), and it carries the guest's
 * credentials; a handler that acts on an event (kills processes, marks nodes
 * offline, changes the scheduler's resources, ends jobs) wraps itself in
 * ownerEvent() so that one from a guest is ignored, with a debug line naming
 * the topic and the userid.
 */

/** RFC 12 FLUX_ROLE_OWNER (kernel/message Role.Owner: lib imports no kernel) */
const ROLE_OWNER = 1;

/** what ownerEvent needs of an event message */
export interface EventCred {
  topic: string;
  userid: number;
  rolemask: number;
}

interface Logger {
  log(level: 'debug', text: string): void;
}

/** true if the event's publisher has the owner role */
export function fromOwner(msg: Pick<EventCred, 'rolemask'>): boolean {
  return (msg.rolemask & ROLE_OWNER) !== 0;
}

/** fn, called only for events the owner published (others: logged at debug and dropped); h: the handle, or a getter of it (a handler table made before the handle is set) */
export function ownerEvent<M extends EventCred, P>(h: Logger | (() => Logger), fn: (msg: M, payload: P) => void): (msg: M, payload: P) => void {
  return (msg, payload) => {
    if (fromOwner(msg)) return fn(msg, payload);
    (typeof h === 'function' ? h() : h).log('debug', `${msg.topic}: ignored: published by userid ${msg.userid}, not the instance owner`);
  };
}
