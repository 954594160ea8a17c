/**
 * `flux pmi`'s PMI client: one interface over the methods (Flux's "upmi"
 * plugins) it can use, with Flux's trace lines (`simple: barrier: success`).
 *
 *   simple   the PMI-1 wire protocol over PMI_FD (or hydra's PMI_PORT): the
 *            broker's own client, lib/pmi/client
 *   single   a singleton: rank 0 of 1, a private KVS
 *
 * Flux's libpmi and libpmi2 methods dlopen() a PMI library; Node cannot, so
 * they are refused with one line. Without --method, simple is tried first and
 * single when its variables are absent, as Flux tries its list.
 */
import { pmiConnect } from '../../../lib/pmi/client';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';

export interface UpmiInfo {
  rank: number;
  size: number;
  /** the kvsname (the job id when Flux launched us) */
  name: string;
}

export interface Upmi {
  /** the method, as traces and errors name it */
  readonly scheme: string;
  initialize(): Promise<UpmiInfo>;
  put(key: string, value: string): Promise<void>;
  get(key: string): Promise<string>;
  barrier(): Promise<void>;
  /** PMI_Abort: the launcher ends the job; resolves once the request is sent */
  abort(msg: string): Promise<void>;
  finalize(): Promise<void>;
}

/** `flux pmi` refuses with this; the command prints `flux-pmi: MESSAGE` */
export class UpmiError extends Error {}

type Trace = (line: string) => void;
type PmiClient = NonNullable<Awaited<ReturnType<typeof pmiConnect>>>;

/** The simple PMI-1 client, connected at initialize(). */
class SimpleUpmi implements Upmi {
  readonly scheme = 'simple';
  private client: PmiClient | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly wire: Trace | undefined,
  ) {}

  /** Flux's preinit: the variables it needs, or why not */
  static missing(env: NodeJS.ProcessEnv): string | undefined {
    if (env['PMI_FD'] === undefined && env['PMI_PORT']) return undefined;
    for (const v of ['PMI_FD', 'PMI_RANK', 'PMI_SIZE']) if (env[v] === undefined) return `${v} not found in environ`;
    return undefined;
  }

  private get pmi(): PmiClient {
    if (!this.client) throw new FluxError(Errno.EINVAL, 'PMI not initialized');
    return this.client;
  }

  async initialize(): Promise<UpmiInfo> {
    const trace = this.wire;
    const c = await pmiConnect(this.env, { trace: trace ? (t) => trace(t) : () => undefined });
    if (!c) throw new FluxError(Errno.EINVAL, `PMI_FD=${this.env['PMI_FD']} PMI_RANK=${this.env['PMI_RANK']} PMI_SIZE=${this.env['PMI_SIZE']}: not usable`);
    this.client = c;
    return { rank: c.rank, size: c.size, name: c.kvsname };
  }

  put(key: string, value: string): Promise<void> {
    return this.pmi.put(key, value);
  }

  async get(key: string): Promise<string> {
    try {
      return await this.pmi.get(key);
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.ENOENT) throw new FluxError(Errno.ENOENT, 'key not found');
      throw e;
    }
  }

  barrier(): Promise<void> {
    return this.pmi.barrier();
  }

  abort(msg: string): Promise<void> {
    return this.pmi.abort(1, msg);
  }

  finalize(): Promise<void> {
    return this.pmi.finalize();
  }
}

/** A singleton: nothing to talk to. */
class SingleUpmi implements Upmi {
  readonly scheme = 'single';
  private readonly kvs = new Map<string, string>();

  initialize(): Promise<UpmiInfo> {
    return Promise.resolve({ rank: 0, size: 1, name: `single-${process.pid}` });
  }

  put(key: string, value: string): Promise<void> {
    this.kvs.set(key, value);
    return Promise.resolve();
  }

  get(key: string): Promise<string> {
    const v = this.kvs.get(key);
    return v === undefined ? Promise.reject(new FluxError(Errno.ENOENT, 'key not found')) : Promise.resolve(v);
  }

  barrier(): Promise<void> {
    return Promise.resolve();
  }

  /** no launcher to tell: the caller prints the message and exits 1 */
  abort(): Promise<void> {
    return Promise.resolve();
  }

  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

/** Every call traced as Flux's upmi does: `SCHEME: OP: success` or `SCHEME: OP: ERROR`. */
class Traced implements Upmi {
  constructor(
    private readonly inner: Upmi,
    private readonly trace: Trace,
  ) {}

  get scheme(): string {
    return this.inner.scheme;
  }

  private async op<T>(what: string, run: () => Promise<T>, ok: (v: T) => string = () => what): Promise<T> {
    try {
      const v = await run();
      this.trace(`${this.scheme}: ${ok(v)}: success`);
      return v;
    } catch (e) {
      this.trace(`${this.scheme}: ${what}: ${(e as Error).message}`);
      throw e;
    }
  }

  initialize(): Promise<UpmiInfo> {
    return this.op('initialize', () => this.inner.initialize(), (i) => `initialize: rank=${i.rank} size=${i.size} name=${i.name}`);
  }

  put(key: string, value: string): Promise<void> {
    return this.op(`put key=${key} value=${value}`, () => this.inner.put(key, value));
  }

  get(key: string): Promise<string> {
    return this.op(`get key=${key}`, () => this.inner.get(key), (v) => `get key=${key} value=${v}`);
  }

  barrier(): Promise<void> {
    return this.op('barrier', () => this.inner.barrier());
  }

  abort(msg: string): Promise<void> {
    return this.op('abort', () => this.inner.abort(msg));
  }

  finalize(): Promise<void> {
    return this.op('finalize', () => this.inner.finalize());
  }
}

export interface UpmiOptions {
  /** --method=URI: scheme[:path] */
  method?: string;
  /** -v: trace each operation */
  trace?: Trace;
  /** -v2: trace the simple method's wire lines too */
  wire?: Trace;
  env?: NodeJS.ProcessEnv;
}

/** The client for --method (or the first that applies); UpmiError says why there is none. */
export function upmiCreate(o: UpmiOptions): Upmi {
  const env = o.env ?? process.env;
  const wrap = (u: Upmi) => (o.trace ? new Traced(u, o.trace) : u);
  const simple = () => new SimpleUpmi(env, o.wire ? (t) => o.wire!(`simple: ${t}`) : undefined);
  if (o.method === undefined) {
    o.trace?.("flux-pmi-client: trying 'simple'");
    const why = SimpleUpmi.missing(env);
    if (why === undefined) return wrap(simple());
    o.trace?.(`simple: ${why}`);
    o.trace?.("flux-pmi-client: trying 'single'");
    return wrap(new SingleUpmi());
  }
  const colon = o.method.indexOf(':');
  const scheme = colon < 0 ? o.method : o.method.slice(0, colon);
  switch (scheme) {
    case 'simple': {
      const why = SimpleUpmi.missing(env);
      if (why !== undefined) throw new UpmiError(`simple: ${why}`);
      return wrap(simple());
    }
    case 'single':
      return wrap(new SingleUpmi());
    case 'libpmi':
    case 'libpmi2':
      throw new UpmiError(`${scheme}: not available in flux-ts (it cannot dlopen a PMI library): use --method=simple`);
    default:
      throw new UpmiError(`plugin '${scheme}' not found`);
  }
}
