/**
 * The one RPC tracker (ADR 0011): what a module's Handle inside the broker and
 * a client over the local socket both use to talk to services. It allocates
 * matchtags (./tags.ts), keeps the calls waiting for answers, times them out,
 * turns error responses into FluxErrors, and runs streams: many responses, ended
 * by ENODATA (done resolves) or any other error (done rejects). Cancelling a
 * stream tells its server with `<service>.stream-cancel {matchtag}`, sent where
 * the stream went; the server ends the stream (ENODATA) and frees what it held.
 *
 * It knows no message format: a transport gives it a send function that
 * builds and sends a request from an OutgoingRequest, and hands it every
 * response that arrives (receive()).
 */
import { Errno, strerror } from '../errno';
import { FluxError, toFluxError } from '../errors';
import { longTimeout, type LongTimer } from '../long-timer';
import { TagPool } from './tags';

/** rpc: one answer; stream: many, ended by ENODATA or an error; oneway: none (no matchtag) */
export type RequestKind = 'rpc' | 'stream' | 'oneway';

/** What a transport is asked to send. */
export interface OutgoingRequest {
  kind: RequestKind;
  topic: string;
  payload: unknown;
  /** 0 for oneway requests */
  matchtag: number;
  /** the caller's nodeid option, as given (the transport maps NODEID_UPSTREAM) */
  nodeid?: number;
}

/** What the tracker needs of a response. */
export interface IncomingResponse {
  matchtag: number;
  errnum: number;
  errstr?: string;
  payload?: unknown;
}

/** Sends a request; throws (a FluxError) if it cannot, e.g. the connection is gone. */
export type SendRequest = (req: OutgoingRequest) => void;

export interface CallOptions {
  /** target rank, NODEID_ANY (default) or NODEID_UPSTREAM */
  nodeid?: number;
  /**
   * rpc: reject with ETIMEDOUT if no answer came after this many ms; stream: if
   * no first response came (the server is then told to stop). Default: never.
   */
  timeoutMs?: number;
}

/** the method every streaming service answers to stop one of its streams */
export const STREAM_CANCEL_METHOD = 'stream-cancel';

/** `<service>.stream-cancel` for a stream's topic */
export function cancelTopicOf(topic: string): string {
  const i = topic.indexOf('.');
  return `${i < 0 ? topic : topic.slice(0, i)}.${STREAM_CANCEL_METHOD}`;
}

/** A streaming RPC in progress; awaiting it awaits done. */
export class StreamCall implements PromiseLike<void> {
  constructor(
    /** the stream's matchtag (what `<service>.stream-cancel` names) */
    readonly matchtag: number,
    /** resolves at the end of the stream (ENODATA, or cancel()), rejects with its error */
    readonly done: Promise<void>,
    /**
     * Stop the stream: no more responses reach the callback, done resolves now,
     * and the server is told to stop. Resolves once the server has answered.
     * A bound function (`s.cancel` may be passed around on its own).
     */
    readonly cancel: () => Promise<void>,
    /**
     * Stop listening without telling the server, for a protocol whose last
     * response is not an error (RFC 27's sched.alloc ends at success or deny):
     * done resolves, the tag is retired. Bound, as cancel.
     */
    readonly forget: () => void,
  ) {}

  // the reason is typed `any` as in Promise's own then/catch: callers name it (e: FluxError) as they did
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  then<A = void, B = never>(ok?: ((v: void) => A | PromiseLike<A>) | null, fail?: ((e: any) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(ok, fail);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  catch<B = never>(fail?: ((e: any) => B | PromiseLike<B>) | null): Promise<void | B> {
    return this.done.catch(fail);
  }

  finally(f?: (() => void) | null): Promise<void> {
    return this.done.finally(f);
  }
}

interface Call {
  stream: boolean;
  topic: string;
  nodeid?: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onResponse?: (payload: unknown) => void;
  timer?: LongTimer;
  /** stream: the caller stopped it; responses until its last one are dropped */
  stopped?: Promise<void>;
}

const noop = (): void => undefined;

export class RpcTracker {
  private readonly calls = new Map<number, Call>();
  private readonly tags = new TagPool((t) => this.calls.has(t));

  constructor(private readonly sendRequest: SendRequest) {}

  /** Send a request and resolve with the answer's payload; rejects with a FluxError. */
  rpc<T = unknown>(topic: string, payload: unknown, opts: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: Call = { stream: false, topic, nodeid: opts.nodeid, resolve: resolve as (v: unknown) => void, reject };
      const tag = this.start(call, opts.timeoutMs);
      if (tag !== undefined) this.transmit(tag, call, 'rpc', payload);
    });
  }

  /** A streaming request: onResponse runs for each response until the stream ends. */
  stream(topic: string, payload: unknown, onResponse: (payload: unknown) => void, opts: CallOptions = {}): StreamCall {
    let call!: Call;
    const done = new Promise<void>((resolve, reject) => {
      call = { stream: true, topic, nodeid: opts.nodeid, resolve: () => resolve(), reject, onResponse };
    });
    const tag = this.start(call, opts.timeoutMs);
    if (tag === undefined) return new StreamCall(0, done, () => Promise.resolve(), noop);
    this.transmit(tag, call, 'stream', payload);
    return new StreamCall(
      tag,
      done,
      () => this.stop(tag, call, () => call.resolve(undefined)),
      () => this.forget(tag, call),
    );
  }

  /** Send a request that gets no answer. */
  send(topic: string, payload: unknown, opts: CallOptions = {}): void {
    this.sendRequest({ kind: 'oneway', topic, payload, matchtag: 0, nodeid: opts.nodeid });
  }

  /** A response arrived: true if it belonged to a call (else it is dropped). */
  receive(r: IncomingResponse): boolean {
    const tag = r.matchtag;
    const call = this.calls.get(tag);
    if (!call) return false;
    if (call.stream && r.errnum === 0) {
      if (call.stopped) return true;
      call.timer?.clear();
      call.timer = undefined;
      try {
        call.onResponse!(r.payload);
      } catch (e) {
        // the callback's failure ends the stream with it, never the sender's loop
        void this.stop(tag, call, () => call.reject(toFluxError(e)));
      }
      return true;
    }
    // the call's last response: its tag can be reused
    this.calls.delete(tag);
    this.tags.release(tag);
    call.timer?.clear();
    if (call.stopped) return true;
    if (r.errnum === 0) call.resolve(r.payload);
    else if (call.stream && r.errnum === Errno.ENODATA) call.resolve(undefined);
    else call.reject(new FluxError(r.errnum, r.errstr));
    return true;
  }

  /** Fail every call (the connection is lost, or the module unloads). */
  failAll(err: FluxError): void {
    const calls = [...this.calls];
    this.calls.clear();
    for (const [tag, call] of calls) {
      this.tags.retire(tag);
      call.timer?.clear();
      call.reject(err);
    }
  }

  /** calls waiting for a response (streams included, also stopped ones whose server has not ended them yet) */
  get outstanding(): number {
    return this.calls.size;
  }

  /** matchtags waiting for reuse, and retired so far (tests, stats) */
  get tagStats(): { reusable: number; retired: number } {
    return { reusable: this.tags.reusable, retired: this.tags.retired };
  }

  private start(call: Call, timeoutMs: number | undefined): number | undefined {
    let tag: number;
    try {
      tag = this.tags.alloc();
    } catch (e) {
      call.reject(toFluxError(e));
      return undefined;
    }
    this.calls.set(tag, call);
    if (timeoutMs !== undefined) {
      // a user's --timeout may be longer than one setTimeout can wait
      call.timer = longTimeout(() => {
        call.timer = undefined;
        const err = new FluxError(Errno.ETIMEDOUT, `${call.topic}: ${strerror(Errno.ETIMEDOUT)}`);
        if (call.stream) {
          void this.stop(tag, call, () => call.reject(err));
        } else if (this.calls.get(tag) === call) {
          // the answer may still come: the tag is retired, so it finds nobody
          this.calls.delete(tag);
          this.tags.retire(tag);
          call.reject(err);
        }
      }, timeoutMs);
    }
    return tag;
  }

  private transmit(tag: number, call: Call, kind: RequestKind, payload: unknown): void {
    try {
      this.sendRequest({ kind, topic: call.topic, payload, matchtag: tag, nodeid: call.nodeid });
    } catch (e) {
      if (this.calls.get(tag) === call) {
        this.calls.delete(tag);
        this.tags.release(tag);
      }
      call.timer?.clear();
      call.reject(toFluxError(e));
    }
  }

  /** Drop a stream the caller knows is over: resolve it, retire its tag, send nothing. */
  private forget(tag: number, call: Call): void {
    if (this.calls.get(tag) !== call) return;
    this.calls.delete(tag);
    this.tags.retire(tag);
    call.timer?.clear();
    call.resolve(undefined);
  }

  /**
   * Stop a stream: settle it now (settle resolves or rejects done), drop what
   * else arrives for it, and tell its server. The server ends the stream
   * (ENODATA frees the tag); if it answers the cancel without doing so (a
   * service with no stream-cancel), the tag is retired.
   */
  private stop(tag: number, call: Call, settle: () => void): Promise<void> {
    if (call.stopped) return call.stopped;
    if (this.calls.get(tag) !== call) return Promise.resolve();
    call.timer?.clear();
    call.timer = undefined;
    let acked!: () => void;
    call.stopped = new Promise<void>((r) => (acked = r));
    settle();
    // a server in this process may end the stream before rpc() returns: stopped is set first
    void this.rpc(cancelTopicOf(call.topic), { matchtag: tag }, { nodeid: call.nodeid })
      .then(noop, noop)
      .then(() => {
        if (this.calls.get(tag) === call) {
          this.calls.delete(tag);
          this.tags.retire(tag);
        }
        acked();
      });
    return call.stopped;
  }
}
