/** What the kvs's leader (index.ts) and followers (follower.ts) share: typed handler entries and the sender of a request. */
import { methods, type Message, type NO_RESPONSE } from '../../kernel/api';
import type { KvsProtocol } from '../../lib/protocol/kvs';

/** handler entries checked against modules/kvs/protocol.avsc */
export const method = methods<KvsProtocol>();
/** a method's request, as the protocol has checked it */
export type Req<M extends keyof KvsProtocol> = KvsProtocol[M]['request'];
/** what a method answers: its response, or NO_RESPONSE when it answers later (a stream) */
export type Res<M extends keyof KvsProtocol> = KvsProtocol[M]['response'] | typeof NO_RESPONSE;
/** the client that sent a request (its watches, waits and staged parts are kept by it) */
export const senderOf = (msg: Message): string => msg.route[0] ?? '';
