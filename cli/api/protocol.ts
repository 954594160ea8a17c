/**
 * Typed calls to a service, from the types scripts/gen-protocol-types.js
 * derives from its protocol file (ADR 0014): the request must have the
 * method's request type and the answer has its response type, so a caller
 * gets a type error where it used to guess a shape.
 *
 *   const kvs = service<KvsProtocol>('kvs');
 *   const { value } = await kvs.call(h, 'get', { key: 'a.b' });
 *
 * The broker's own services name whole topics: service<BrokerProtocol>('').
 * The server checks each request against the schema; responses are checked
 * against theirs in the tests (test/integration/t0013-protocol-responses).
 */
import type { MethodTypes } from '../../kernel/api/module';
import type { RpcOptions } from './client';
import type { StreamCall } from '../../lib/rpc/tracker';

/** What a typed call needs of a handle (cli/api Client, or a module's Handle). */
export interface RpcCaller {
  rpc<T = unknown>(topic: string, payload?: unknown, opts?: RpcOptions): Promise<T>;
  rpcStream(topic: string, payload: unknown, onResponse: (payload: unknown) => void, opts?: RpcOptions): StreamCall;
}

export interface Service<P extends { [M in keyof P]: MethodTypes }> {
  /** one request, one answer */
  call<M extends keyof P & string>(h: RpcCaller, method: M, req: P[M]['request'], opts?: RpcOptions): Promise<P[M]['response']>;
  /** a streaming request: each answer, until the stream ends (the call resolves; cancel() tells the service) */
  stream<M extends keyof P & string>(
    h: RpcCaller,
    method: M,
    req: P[M]['request'],
    onResponse: (r: P[M]['response']) => void,
    opts?: RpcOptions,
  ): StreamCall;
}

export function service<P extends { [M in keyof P]: MethodTypes }>(name: string): Service<P> {
  const topic = (method: string) => (name === '' ? method : `${name}.${method}`);
  return {
    call: (h, method, req, opts) => h.rpc(topic(method), req, opts),
    // the answers have the method's response type (the service's contract, checked in the tests)
    stream: (h, method, req, onResponse, opts) => h.rpcStream(topic(method), req, (p) => onResponse(p as Parameters<typeof onResponse>[0]), opts),
  };
}
