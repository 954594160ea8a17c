/**
 * Handle: what a module (or any in-broker party) uses to talk: RPCs, responses,
 * events, attributes and logging. Every module gets its own Handle, whose requests
 * carry the module's identity on the route stack.
 */
import type { Message } from '../message/message';

export interface RpcOptions {
  /** target rank, NODEID_ANY (default) or NODEID_UPSTREAM */
  nodeid?: number;
  /** reject with ETIMEDOUT after this many ms (default: never) */
  timeoutMs?: number;
}

export interface StreamOptions extends RpcOptions {
  /** called for each response; return false to stop listening */
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
  /** streaming request: resolves when the stream ends (ENODATA), rejects on error */
  rpcStream(topic: string, payload: unknown, opts: StreamOptions): { done: Promise<void>; cancel(): void };
  /** send a request that expects no response */
  send(topic: string, payload?: unknown, opts?: RpcOptions): void;
  /** answer a request (no-op for requests sent with the no-response flag) */
  respond(req: Message, payload?: unknown): void;
  /** answer a request with an error */
  respondError(req: Message, errnum: number, errstr?: string): void;
  /** publish an event to every rank (sequenced by rank 0) */
  publish(topic: string, payload?: unknown): Promise<void>;
  /** receive events whose topic starts with prefix */
  subscribe(prefix: string, cb: (msg: Message) => void): () => void;
  /** read a broker attribute (undefined if unset) */
  getattr(name: string): string | undefined;
  /** write to the broker log ring (appname = handle name) */
  log(level: LogLevelName, text: string): void;
}
