/**
 * The module contract (RFC 5 in our words). A module is a folder under modules/
 * (or a site module anywhere, loaded by path) whose default export is the manifest
 * built with defineModule(). The host gives each loaded module its own DI child
 * container, a Handle whose topics are prefixed with the load name, and default
 * methods (ping, stats-get, shutdown ...).
 */
import type { DependencyContainer } from 'tsyringe';
import type { Message } from '../message/message';
import type { EventPayload, Handle } from './handle';
import type { ConfigSchema } from '../../lib/config-schema';
import type { ProtocolDoc } from '../../lib/protocol/avro';
import { isEventPayload } from '../../lib/protocol/event-check';

/** What a request handler returns: a payload to answer with, or NO_RESPONSE. */
export const NO_RESPONSE: unique symbol = Symbol('flux.no-response');
export type HandlerResult = unknown | typeof NO_RESPONSE;

export interface RequestHandler {
  kind: 'request';
  /** method name without the service prefix, or a full topic when absolute */
  method: string;
  absolute?: boolean;
  /**
   * validate the payload before the handler runs; return an error text to refuse with EPROTO.
   * Runs after the protocol's schema check (a module with a protocol rarely needs it).
   */
  check?: (payload: unknown) => string | undefined;
  /** only the instance owner may call it (default true) */
  ownerOnly?: boolean;
  /**
   * `req` is the payload once the module's protocol has checked it against the
   * method's request schema (an absent payload is `{}`); undefined for a
   * module without a protocol.
   */
  fn: (msg: Message, req?: unknown) => HandlerResult | Promise<HandlerResult>;
  /** written with method(): the module must declare the method in its protocol */
  typed?: boolean;
}

export interface EventHandler {
  kind: 'event';
  /** a topic prefix, as Handle.subscribe takes */
  topic: string;
  /** `payload`: a declared event's, checked against its schema (ADR 0019); a malformed event never gets here */
  fn: (msg: Message, payload: unknown) => void;
}

export type HandlerTable = ReadonlyArray<RequestHandler | EventHandler>;

/** A request handler entry: `request('list', this.list)`. */
export function request(
  method: string,
  fn: (msg: Message, req?: unknown) => HandlerResult | Promise<HandlerResult>,
  opts: Omit<RequestHandler, 'kind' | 'method' | 'fn'> = {},
): RequestHandler {
  return { kind: 'request', method, fn, ...opts };
}

/** One method's types, as scripts/gen-protocol-types.js writes them into lib/protocol/<module>.ts. */
export interface MethodTypes {
  request: unknown;
  response: unknown;
}

/** What a typed handler returns: its response, or NO_RESPONSE (it answers by itself: streams, forwarding). */
export type TypedResult<R> = R | typeof NO_RESPONSE | Promise<R | typeof NO_RESPONSE>;

/**
 * Typed handler entries for a module with a protocol:
 * `const method = methods<KvsProtocol>();` then
 * `method('get', (req) => ({ value: store.get(req.key) }))`. The host checks
 * the payload against the method's request schema before `fn` runs, so `req`
 * has the request type and the handler casts nothing; returning something
 * else than the response type is a type error.
 */
export function methods<P extends { [M in keyof P]: MethodTypes }>() {
  return <M extends keyof P & string>(
    method: M,
    fn: (req: P[M]['request'], msg: Message) => TypedResult<P[M]['response']>,
    opts: Omit<RequestHandler, 'kind' | 'method' | 'fn' | 'typed'> = {},
  ): RequestHandler => ({
    kind: 'request',
    method,
    typed: true,
    // the host calls typed handlers only with a checked payload (module-host.ts dispatch)
    fn: (msg, req) => fn(req as P[M]['request'], msg),
    ...opts,
  });
}

/**
 * An event handler entry: `event('resource.update', (msg, ev) => ...)`. For
 * a declared event (lib/protocol/events.ts) `ev` has its payload type and was
 * checked against its schema before the handler runs (a malformed one is
 * dropped with one log line naming the topic and the field); for another
 * topic it is the payload unchecked.
 */
export function event<T extends string>(topic: T, fn: (msg: Message, payload: EventPayload<T>) => void): EventHandler {
  // the handle delivers a declared topic's payload only once it fits the schema (local-handle.ts deliver)
  return { kind: 'event', topic, fn: (msg, payload) => isEventPayload(topic, payload) && fn(msg, payload) };
}

export interface BrokerModule {
  readonly handlers: HandlerTable;
  /** extra service names this module registers (besides its load name) */
  readonly services?: readonly string[];
  /**
   * What must be ready before the module takes its service (open a store):
   * run right after the class is built, while on reload the old module still
   * runs; a failure fails the load and changes nothing.
   */
  init?(): Promise<void> | void;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /**
   * Rank 0's CLEANUP state, after the initial program and before any broker
   * shuts down (Flux's rc1 cleanup commands): end what must not outlive the
   * brokers (job-manager cancels the running jobs and waits for them). A line
   * it returns is logged at err by the broker, as Flux logs a cleanup
   * command's stderr.
   */
  cleanup?(): Promise<string | undefined> | string | undefined;
  /**
   * flux config load/reload: the broker's config is about to become `next`.
   * Throw (a FluxError whose text names the key, `sched.policy: ...`) to
   * refuse it: then nothing is applied anywhere. Otherwise return what applies
   * it (or nothing); the broker runs every module's apply only once all of
   * them accepted. A module without this hook refuses any change to the
   * tables its manifest declares.
   */
  configReload?(next: Readonly<Record<string, unknown>>, prev: Readonly<Record<string, unknown>>): ConfigApply | Promise<ConfigApply>;
}

/** What a module's configReload returns: the change, run once every module accepted. */
export type ConfigApply = (() => void) | undefined | void;

/** What the loader hands to create(): the module's own scope. */
export interface ModuleScope {
  readonly container: DependencyContainer;
  readonly handle: Handle;
  readonly name: string;
  readonly args: readonly string[];
  /** the broker's TOML config (whole document) */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface ModuleManifest {
  /** marker checked by the loader */
  readonly fluxModule: 1;
  /** default load name (== folder name for modules in the tree) */
  readonly name: string;
  readonly description?: string;
  /** where `flux start` loads it by default */
  readonly ranks?: 'all' | 'leader';
  /**
   * The config tables this module reads and their shape. The broker refuses a
   * config with a table no module (nor the kernel) declares, or a key or value
   * that does not fit, before anything is loaded.
   */
  readonly config?: ConfigSchema;
  /**
   * The module's protocol (ADR 0014): the document of its protocol file
   * (modules/<name>/protocol.avsc, embedded in lib/protocol/<name>.ts by
   * scripts/gen-protocol-types.js), or the path of a protocol file (relative
   * to the module's file). The host compiles it at load (a bad one fails the
   * load), and checks every request against its method's request schema
   * before the handler runs: EPROTO `<topic>: malformed request: <field>: ...`.
   * With a protocol, every method of the handler table must be declared in it.
   */
  readonly protocol?: ProtocolDoc | string;
  /** the module takes no arguments: `flux module load NAME ARG` is refused, never ignored */
  readonly noArgs?: boolean;
  /**
   * The module's class, resolved from its child container (the modules in the
   * tree): its constructor names what it needs with @inject(TOKEN).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tsyringe resolves a constructor of any parameters (its constructor<T>)
  readonly module?: new (...deps: any[]) => BrokerModule;
  /** Or a factory (a site module in plain JavaScript): called once per load. */
  create?(scope: ModuleScope): BrokerModule | Promise<BrokerModule>;
}

export function defineModule(m: Omit<ModuleManifest, 'fluxModule'>): ModuleManifest {
  return { fluxModule: 1, ...m };
}

export function isModuleManifest(x: unknown): x is ModuleManifest {
  const m = x as Partial<ModuleManifest> | null;
  return !!m && m.fluxModule === 1 && typeof m.name === 'string' && (typeof m.create === 'function' || typeof m.module === 'function');
}

/** key=value module arguments as a map (later ones win) */
export function parseArgs(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args) {
    const i = a.indexOf('=');
    if (i < 0) out.set(a, '');
    else out.set(a.slice(0, i), a.slice(i + 1));
  }
  return out;
}
