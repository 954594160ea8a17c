/**
 * Handle: what a module (or any in-broker party) uses to talk: RPCs, responses,
 * events, attributes and logging. Every module gets its own Handle, whose requests
 * carry the module's identity on the route stack.
 */
import type { Message } from '../message/message';
import type { CallOptions, StreamCall } from '../../lib/rpc';
import type { EventPayload, PublishArgs } from '../../lib/protocol/event-check';

export type { EventPayload, EventTopic, PublishArgs } from '../../lib/protocol/event-check';
export type { Events } from '../../lib/protocol/events';

export { StreamCall, cancelTopicOf, STREAM_CANCEL_METHOD } from '../../lib/rpc';

/**
 * nodeid: target rank, NODEID_ANY (default) or NODEID_UPSTREAM; timeoutMs:
 * reject with ETIMEDOUT after this many ms without an answer (a stream: without
 * its first response), default never.
 */
export type RpcOptions = CallOptions;

export interface StreamOptions extends RpcOptions {
  /** called for each response until the stream ends; a callback that throws ends the stream with its error */
  onResponse: (payload: unknown) => void;
}

export const LogLevel = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
export type LogLevelName = keyof typeof LogLevel;

export interface Handle {
  /** this broker's rank */
  readonly rank: number;
  /** instance size */
  readonly size: number;
  /** the name requests from this handle carry (module load name) */
  readonly name: string;
  /** send a request and resolve with the response payload; rejects with FluxError */
  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T>;
  /**
   * streaming request: done resolves when the stream ends (ENODATA), rejects on
   * error; cancel() stops it and tells the server (`<service>.stream-cancel`)
   */
  rpcStream(topic: string, payload: unknown, opts: StreamOptions): StreamCall;
  /** send a request that expects no response */
  send(topic: string, payload?: unknown, opts?: RpcOptions): void;
  /** answer a request (no-op for requests sent with the no-response flag) */
  respond(req: Message, payload?: unknown): void;
  /** answer a request with an error */
  respondError(req: Message, errnum: number, errstr?: string): void;
  /**
   * publish an event to every rank (sequenced by rank 0); a declared event
   * (lib/protocol/events.ts, ADR 0019) takes its payload type
   */
  publish<T extends string>(topic: T, ...payload: PublishArgs<T>): Promise<void>;
  /** publish with the private flag: of the clients, only the owner's receive it (modules all do) */
  publishPrivate<T extends string>(topic: T, ...payload: PublishArgs<T>): Promise<void>;
  /**
   * receive events whose topic starts with prefix; a declared event is checked
   * against its schema first (a malformed one is dropped with a log line naming
   * the topic and field) and `payload` has its type (unknown for other topics)
   */
  subscribe<T extends string>(prefix: T, cb: (msg: Message, payload: EventPayload<T>) => void): () => void;
  /** read a broker attribute (undefined if unset) */
  getattr(name: string): string | undefined;
  /** write to the broker log ring (appname = handle name) */
  log(level: LogLevelName, text: string): void;
}
