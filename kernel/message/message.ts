/**
 * The one message envelope (RFC 3's logical fields): request, response, event and
 * control messages all use it. Within a broker a Message is handed over as an
 * object; it is encoded (codec.ts) only where bytes leave the process.
 */

export const MsgType = { Request: 1, Response: 2, Event: 4, Control: 8 } as const;
export type MsgTypeValue = (typeof MsgType)[keyof typeof MsgType];

export const MsgFlag = {
  Topic: 0x01,
  Payload: 0x02,
  NoResponse: 0x04,
  Route: 0x08,
  Upstream: 0x10,
  Private: 0x20,
  Streaming: 0x40,
  User1: 0x80,
} as const;

/** nodeid meaning "whichever rank offers the service, nearest first" */
export const NODEID_ANY = 0xffffffff;
/** API value: the service on my parent (on the wire: own rank + Upstream flag) */
export const NODEID_UPSTREAM = 0xfffffffe;
export const MATCHTAG_NONE = 0;

export const Role = { None: 0, Owner: 1, User: 2, Local: 4, Admin: 8, All: 0xffffffff } as const;
export const USERID_UNKNOWN = 0xffffffff;

export interface Message {
  type: MsgTypeValue;
  flags: number;
  topic: string;
  /** request: target rank; event: sequence number; control: control type */
  nodeid: number;
  /** request/response: matchtag; control: status */
  matchtag: number;
  /** route stack: sender identities, oldest first */
  route: string[];
  userid: number;
  rolemask: number;
  /** response: 0 on success, else an errno */
  errnum: number;
  /** response: optional one-line error text */
  errstr?: string;
  /** JSON-compatible value; undefined when there is none */
  payload?: unknown;
}

export interface RequestInit {
  nodeid?: number;
  matchtag?: number;
  flags?: number;
  payload?: unknown;
}

/** Build a request message (route empty: the first hop pushes the sender). */
export function request(topic: string, init: RequestInit = {}): Message {
  return {
    type: MsgType.Request,
    flags: init.flags ?? 0,
    topic,
    nodeid: init.nodeid ?? NODEID_ANY,
    matchtag: init.matchtag ?? MATCHTAG_NONE,
    route: [],
    userid: USERID_UNKNOWN,
    rolemask: Role.None,
    errnum: 0,
    payload: init.payload,
  };
}

/** Build the response to a request: topic, matchtag and route copied. */
export function responseTo(req: Message, payload?: unknown, flags = 0): Message {
  return {
    type: MsgType.Response,
    flags: flags | (req.flags & MsgFlag.Streaming),
    topic: req.topic,
    nodeid: 0,
    matchtag: req.matchtag,
    route: req.route.slice(),
    userid: req.userid,
    rolemask: req.rolemask,
    errnum: 0,
    payload,
  };
}

/** Build an error response to a request. */
export function errorResponseTo(req: Message, errnum: number, errstr?: string): Message {
  const m = responseTo(req);
  m.errnum = errnum;
  if (errstr !== undefined && errstr.length > 0) m.errstr = errstr;
  return m;
}

/** Build an event message (sequence assigned by rank 0 when published). */
export function event(topic: string, payload?: unknown, seq = 0): Message {
  return {
    type: MsgType.Event,
    flags: 0,
    topic,
    nodeid: seq,
    matchtag: 0,
    route: [],
    userid: USERID_UNKNOWN,
    rolemask: Role.None,
    errnum: 0,
    payload,
  };
}

/** Service name of a topic: text before the first '.' */
export function serviceOf(topic: string): string {
  const i = topic.indexOf('.');
  return i < 0 ? topic : topic.slice(0, i);
}

export function typeName(t: number): string {
  switch (t) {
    case MsgType.Request:
      return 'request';
    case MsgType.Response:
      return 'response';
    case MsgType.Event:
      return 'event';
    case MsgType.Control:
      return 'control';
    default:
      return `type-${t}`;
  }
}
