/**
 * ModuleHost: loads, runs and unloads modules. Each module gets a LocalHandle
 * (its endpoint and service), a tsyringe child container with the kernel tokens,
 * its handler table wired to topics `<load-name>.<method>`, and the default
 * methods every module answers (ping, shutdown; stats-get, stats-clear, rusage
 * and debug from lib/module-defaults.ts).
 * `module load` answers only once start() has resolved (RUNNING).
 *
 * `module reload` keeps the service: the new module is resolved, imported and
 * created (its arguments and config checked) while the old one still runs, so
 * a bad path, file or argument leaves the old module untouched. Only then is
 * the old one stopped and the new one started; if its start() fails, the old
 * module is loaded again from its path with its arguments. A module's state
 * in memory does not survive a reload either way: a restored module starts
 * afresh, as after any reload (sched gets its jobs back from job-manager; kvs
 * would start empty).
 *
 * The broker's own services are the built-in module `broker`
 * (kernel/broker-services.ts): loadBuiltin() serves it first, on the broker's
 * endpoint, with tokens only its container holds; it is not listed, and
 * `flux module remove/reload broker` are refused.
 *
 * Where a request is validated: dispatch() below. A module with a protocol
 * (manifest.protocol, ADR 0014) has each method's request schema compiled at
 * load; every request is checked against it before the handler runs and a
 * malformed one is answered EPROTO `<topic>: malformed request: <field>: ...`
 * without the handler ever seeing it.
 */
import { MessageTracer } from '../../lib/msg-trace';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { Errno } from '../../lib/errno';
import { FluxError, toFluxError } from '../../lib/errors';
import { checkRequest, type CompiledMethod, type Protocol } from '../../lib/protocol/avro';
import { declareEvents } from '../../lib/protocol/event-check';
import { loadProtocol } from '../../lib/protocol/load';
import { answerDefault } from '../../lib/module-defaults';
import { ModuleRegistries, Registries } from '../../lib/registry';
import { NO_RESPONSE, type BrokerModule, type ModuleManifest, type RequestHandler } from '../api/module';
import { IAttributes, IConfig, IConnectInstance, IHandle, ILog, IModuleArgs, IModuleName, IRegistries } from '../api/tokens';
import type { ConnectInstance } from '../../lib/instance-connection';
import { MsgFlag, Role, type Message } from '../message/message';
import { LocalHandle, type BrokerContext } from '../router/local-handle';
import { builtinModuleDir, importManifest, resolveModule } from './resolve';

export type ModuleState = 'I' | 'R' | 'F' | 'X';

export interface LoadedModule {
  name: string;
  path: string;
  /** what it was loaded with: a failed reload restores it with them */
  args: readonly string[];
  state: ModuleState;
  handle: LocalHandle;
  module?: BrokerModule;
  container: DependencyContainer;
  requests: Map<string, RequestHandler>;
  /** topic -> the method's schemas, for a module with a protocol */
  schemas: Map<string, CompiledMethod>;
  services: string[];
  /** the config tables its manifest declares (a config reload checks them) */
  configTables: readonly string[];
  /** withdraws the events its protocol declared (a site module's, ADR 0019) */
  withdrawEvents?: () => void;
  /** resolves once it is taken down (a remove waiting on its stop() ends when a remove --cancel takes it down) */
  gone?: Promise<void>;
  markGone?: () => void;
}

const START_TIMEOUT_MS = 30_000;

export class ModuleHost {
  private readonly mods = new Map<string, LoadedModule>();
  /** the broker's own services (loadBuiltin): served first, never unloaded, not in mods */
  private builtin: LoadedModule | undefined;
  /** this broker's container, parent of every module's: what it holds, each module resolves (ADR 0018) */
  readonly instance = rootContainer.createChildContainer();
  /** the broker's named registries (sched policies, shell plugins), withdrawn per module at unload */
  readonly registries = new Registries();
  /** flux module trace: who traces which modules' messages (lib/msg-trace.ts) */
  readonly tracer = new MessageTracer((key, why) => this.ctx.log(3, 'broker', `module trace ${key}: stopped: ${why}`));
  /** called when a module fails after RUNNING (panic policy lives in the broker) */
  onModuleFailure: (name: string, err: Error) => void = () => {};

  constructor(
    private readonly ctx: BrokerContext,
    private readonly config: () => Readonly<Record<string, unknown>>,
    private readonly connect: ConnectInstance = () => Promise.reject(new Error('this broker has no client to reach another instance')),
  ) {}

  list(): LoadedModule[] {
    return [...this.mods.values()];
  }

  /** Hook every module's messages to the tracer while someone traces (unhooked: no cost per message). */
  retrace(): void {
    for (const lm of this.mods.values()) this.hookTrace(lm);
  }

  private hookTrace(lm: LoadedModule): void {
    lm.handle.tracer = this.tracer.active ? (prefix, msg) => this.tracer.record(prefix, lm.name, msg) : undefined;
  }

  get(name: string): LoadedModule | undefined {
    return this.mods.get(name);
  }

  /**
   * The built-in module (kernel/broker-services.ts), on the endpoint `uuid`
   * (the broker's own), with `tokens` registered in its container alone.
   */
  async loadBuiltin(manifest: ModuleManifest, uuid: string, tokens: Array<[symbol, unknown]>): Promise<LoadedModule> {
    this.builtin = await this.create(`builtin:${manifest.name}`, manifest, manifest.name, [], 'load', { uuid, tokens });
    return this.activate(this.builtin, 'load');
  }

  /** Answer one more topic on the built-in module's endpoint (the overlay's services: TreeHost). */
  serveBuiltin(h: RequestHandler): void {
    this.builtin?.requests.set(h.method, h);
  }

  /** `flux module remove/reload broker`: the broker's own services stay. */
  private refuseBuiltin(verb: string, name: string): void {
    if (name === this.builtin?.name) throw new FluxError(Errno.EINVAL, `${verb} ${name}: the broker's own services are built in and cannot be unloaded`);
  }

  /** Load a module by name or path; resolves when it is RUNNING. */
  async load(spec: string, args: readonly string[], nameOverride?: string): Promise<LoadedModule> {
    const { path, manifest, name } = await this.find(spec, nameOverride);
    if (this.mods.has(name)) throw new FluxError(Errno.EEXIST, `load ${name}: File exists`);
    if (this.ctx.router.serviceOwner(name) !== undefined) {
      throw new FluxError(Errno.EEXIST, `load ${name}: service ${name} is already registered`);
    }
    const lm = await this.create(path, manifest, name, args, 'load');
    if (this.mods.has(name)) {
      // another load of the name won while create() ran
      this.teardown(lm);
      throw new FluxError(Errno.EEXIST, `load ${name}: File exists`);
    }
    this.mods.set(name, lm);
    return this.activate(lm, 'load');
  }

  /**
   * Replace a running module; a failure leaves the old one running (see the
   * file comment). With force, a module that is not loaded is simply loaded.
   */
  async reload(spec: string, args: readonly string[], nameOverride: string | undefined, force: boolean, cancel = false): Promise<LoadedModule> {
    this.refuseBuiltin('reload', nameOverride ?? spec);
    const { path, manifest, name } = await this.find(spec, nameOverride, 'reload');
    const old = this.mods.get(name);
    if (old === undefined) {
      if (!force) throw new FluxError(Errno.ENOENT, `remove ${name}: No such file or directory`);
      return this.load(path, args, name);
    }
    const keeps = 'the old module keeps running';
    let lm: LoadedModule;
    try {
      lm = await this.create(path, manifest, name, args, 'reload');
    } catch (e) {
      const fe = toFluxError(e);
      throw new FluxError(fe.errno, `${fe.message}; ${keeps}`);
    }
    if (this.mods.get(name) === old) await this.remove(name, cancel);
    if (this.mods.has(name)) {
      this.teardown(lm);
      throw new FluxError(Errno.EEXIST, `reload ${name}: File exists (loaded again meanwhile)`);
    }
    this.mods.set(name, lm);
    try {
      return await this.activate(lm, 'reload');
    } catch (e) {
      const fe = toFluxError(e);
      try {
        await this.load(old.path, old.args, old.name);
      } catch (e2) {
        this.ctx.log(2, 'broker', `reload ${name}: the old module could not be restored: ${(e2 as Error).message}`);
        throw new FluxError(fe.errno, `${fe.message}; the old module could not be restored: ${(e2 as Error).message}`);
      }
      this.ctx.log(3, 'broker', `${fe.message}; the old module was restored`);
      throw new FluxError(fe.errno, `${fe.message}; the old module was restored and keeps running`);
    }
  }

  /** Resolve and import: nothing changes in the broker if this fails. */
  private async find(spec: string, nameOverride: string | undefined, verb = 'load'): Promise<{ path: string; manifest: ModuleManifest; name: string }> {
    let resolved;
    let manifest;
    try {
      resolved = resolveModule(spec, process.env['FLUX_MODULE_PATH']);
      manifest = await importManifest(resolved.path, spec);
    } catch (e) {
      if (verb === 'load') throw e;
      const fe = toFluxError(e);
      // (a spec that does not resolve names its module only by itself)
      const keeps = this.mods.has(nameOverride ?? spec) ? '; the old module keeps running' : '';
      throw new FluxError(fe.errno, `${fe.message.replace(/^load /, 'reload ')}${keeps}`);
    }
    const name = nameOverride ?? (spec.includes('/') ? manifest.name : resolved.name);
    return { path: resolved.path, manifest, name };
  }

  /**
   * The module object, from its manifest, on an endpoint of its own that owns
   * no service yet: what create() throws (bad arguments, bad config) changes
   * nothing else.
   */
  private async create(path: string, manifest: ModuleManifest, name: string, args: readonly string[], verb: string, builtin?: { uuid: string; tokens: Array<[symbol, unknown]> }): Promise<LoadedModule> {
    const handle = new LocalHandle(this.ctx, name, builtin?.uuid);
    const child = this.instance.createChildContainer();
    const tokens: Array<[symbol, unknown]> = [[IHandle, handle], [IModuleArgs, args], [IModuleName, name], [IConfig, this.config()],
      [IAttributes, { get: (n: string) => handle.getattr(n) }], [ILog, handle.log.bind(handle)], [IRegistries, new ModuleRegistries(this.registries, handle)], [IConnectInstance, this.connect], ...(builtin?.tokens ?? [])];
    for (const [t, v] of tokens) child.register(t, { useValue: v });
    const lm: LoadedModule = {
      name,
      path,
      args: [...args],
      state: 'I',
      handle,
      container: child,
      requests: new Map(),
      schemas: new Map(),
      services: [],
      configTables: Object.keys(manifest.config ?? {}),
    };
    this.ctx.router.addEndpoint(handle);
    handle.onRequest = (msg) => this.dispatch(lm, msg);
    this.hookTrace(lm);
    try {
      if (manifest.noArgs && args.length > 0) throw new FluxError(Errno.EINVAL, `${name} takes no module arguments (got '${args[0]}')`);
      const protocol = manifest.protocol === undefined ? undefined : await loadProtocol(manifest.protocol, path, builtin !== undefined || path.startsWith(`${builtinModuleDir}/`));
      // the module class from its child container (writing-a-module.md), or a site module's factory
      lm.module = manifest.module ? child.resolve(manifest.module) : await manifest.create!({ container: child, handle, name, args, config: this.config() });
      bindSchemas(lm, protocol);
      if (protocol) lm.withdrawEvents = declareEvents(protocol);
      await lm.module.init?.();
    } catch (e) {
      this.teardown(lm);
      const fe = toFluxError(e);
      throw new FluxError(fe.errno, `${verb} ${name}: ${fe.message}`);
    }
    return lm;
  }

  /** Give a created module its service, handlers and subscriptions, and start it. */
  private async activate(lm: LoadedModule, verb: string): Promise<LoadedModule> {
    const { name, handle } = lm;
    const mod = lm.module!;
    try {
      this.ctx.router.addService(name, handle.uuid);
      for (const h of mod.handlers) {
        if (h.kind === 'request') {
          lm.requests.set(h.absolute ? h.method : `${name}.${h.method}`, h);
        } else {
          handle.subscribe(h.topic, h.fn);
        }
      }
      for (const s of mod.services ?? []) {
        this.ctx.router.addService(s, handle.uuid);
        lm.services.push(s);
      }
      if (mod.start) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.resolve(mod.start()),
          new Promise((_, rej) => {
            timer = setTimeout(
              () => rej(new FluxError(Errno.ETIMEDOUT, `module ${name} did not start within ${START_TIMEOUT_MS / 1000}s`)),
              START_TIMEOUT_MS,
            );
          }),
        ]).finally(() => clearTimeout(timer));
      }
      lm.state = 'R';
      if (lm !== this.builtin) this.ctx.log(7, 'broker', `insmod ${name}`);
      return lm;
    } catch (e) {
      this.teardown(lm);
      const fe = toFluxError(e);
      throw new FluxError(fe.errno, `${verb} ${name}: ${fe.message}`);
    }
  }

  /** Unload a module: FINALIZING (new requests get ENOSYS), stop(), dispose. */
  async remove(name: string, cancel = false): Promise<void> {
    this.refuseBuiltin('remove', name);
    const lm = this.mods.get(name);
    if (!lm) throw new FluxError(Errno.ENOENT, `remove ${name}: No such file or directory`);
    const stopping = lm.state === 'F';
    lm.state = 'F';
    const stopped = stopping ? Promise.resolve() : Promise.resolve().then(() => lm.module?.stop?.()).catch((e: Error) => this.ctx.log(3, name, `stop failed: ${e.message}`));
    lm.gone ??= new Promise<void>((resolve) => (lm.markGone = resolve));
    // cancel (flux module remove --cancel): taken down without waiting for its stop(), as Flux cancels a module's thread
    if (!cancel) await Promise.race([stopped, lm.gone]);
    if (this.mods.get(name) !== lm) return; // a remove --cancel took it down meanwhile
    this.teardown(lm);
    this.ctx.log(7, 'broker', `rmmod ${name}${cancel ? ' (canceled)' : ''}`);
  }

  /** Rank 0's CLEANUP: each module's cleanup(), newest first; what one says, or its failure, is logged. */
  async cleanup(): Promise<void> {
    for (const lm of [...this.mods.values()].reverse()) {
      // through then(): a hook that throws at once is caught like one that rejects
      const said = await Promise.resolve().then(() => lm.module?.cleanup?.()).catch((e: Error) => `${lm.name}: cleanup failed: ${e.message}`);
      if (said) this.ctx.log(3, 'broker', said);
    }
  }

  /** Unload every module, newest first. */
  async removeAll(): Promise<void> {
    for (const name of [...this.mods.keys()].reverse()) await this.remove(name);
  }

  private teardown(lm: LoadedModule): void {
    lm.state = 'X';
    lm.markGone?.();
    lm.handle.abortAll(Errno.ENOSYS, `module ${lm.name} is unloading`);
    this.ctx.router.removeEndpoint(lm.handle.uuid);
    this.registries.withdraw(lm.handle);
    lm.withdrawEvents?.();
    if (this.mods.get(lm.name) === lm) this.mods.delete(lm.name);
    void lm.container.dispose();
  }

  private dispatch(lm: LoadedModule, msg: Message): void {
    if (lm.state !== 'R' && lm.state !== 'I') {
      lm.handle.respondError(msg, Errno.ENOSYS, `module ${lm.name} is finalizing`);
      return;
    }
    const h = lm.requests.get(msg.topic);
    const owner = (msg.rolemask & Role.Owner) !== 0;
    // every service says it as Flux does
    const denied = 'Request requires owner credentials';
    // `disconnect` only ever drops the sender's own requests (route[0]); the
    // router sends it for any client that goes away, guest or owner
    const isDisconnect = msg.topic.endsWith('.disconnect');
    if (!h) {
      if (!owner && !isDisconnect && !msg.topic.endsWith('.ping')) {
        lm.handle.respondError(msg, Errno.EPERM, `${msg.topic}: ${denied}`);
        return;
      }
      this.defaultMethod(lm, msg);
      return;
    }
    if (h.ownerOnly !== false && !owner && !isDisconnect) {
      lm.handle.respondError(msg, Errno.EPERM, `${msg.topic}: ${denied}`);
      return;
    }
    let req: unknown;
    const schema = lm.schemas.get(msg.topic);
    if (schema) {
      const c = checkRequest(schema, msg.payload);
      if (!c.ok) {
        lm.handle.respondError(msg, Errno.EPROTO, `${msg.topic}: malformed request: ${c.why}`);
        return;
      }
      req = c.value;
    }
    if (h.check) {
      const why = h.check(msg.payload);
      if (why !== undefined) {
        lm.handle.respondError(msg, Errno.EPROTO, `${msg.topic}: malformed request: ${why}`);
        return;
      }
    }
    let result: unknown;
    try {
      result = h.fn.call(lm.module, msg, req);
    } catch (e) {
      this.answerError(lm, msg, e);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (v) => this.answer(lm, msg, v),
        (e) => this.answerError(lm, msg, e),
      );
    } else {
      this.answer(lm, msg, result);
    }
  }

  private answer(lm: LoadedModule, msg: Message, v: unknown): void {
    if (v === NO_RESPONSE) return;
    lm.handle.respond(msg, v === undefined ? {} : v);
  }

  private answerError(lm: LoadedModule, msg: Message, e: unknown): void {
    if (e instanceof FluxError) {
      lm.handle.respondError(msg, e.errno, e.bare ? undefined : e.message);
      return;
    }
    const err = e as Error;
    this.ctx.log(3, lm.name, `internal error in ${msg.topic}: ${err?.stack ?? String(e)}`);
    lm.handle.respondError(msg, Errno.EIO, `internal error in ${msg.topic}: ${err?.message ?? String(e)}`);
  }

  private defaultMethod(lm: LoadedModule, msg: Message): void {
    const method = msg.topic.slice(msg.topic.indexOf('.') + 1);
    switch (method) {
      case 'ping':
        lm.handle.respond(msg, { ...(typeof msg.payload === 'object' && msg.payload !== null ? msg.payload : {}), route: routeString(msg, this.ctx.router.uuid), userid: msg.userid, rolemask: msg.rolemask });
        return;
      case 'shutdown':
        this.remove(lm.name).catch((e) => this.answerError(lm, msg, e));
        return;
      case 'disconnect':
        return;
      default:
        // stats-get, stats-clear, rusage, debug (lib/module-defaults.ts)
        if (answerDefault(lm.handle, lm.name, method, msg) || msg.flags & MsgFlag.NoResponse) return;
        lm.handle.respondError(msg, Errno.ENOSYS, `No service matching ${msg.topic} is registered`);
    }
  }
}

/**
 * Each request handler's schemas, by the topic it will answer: with a
 * protocol, every method must be declared in it; a typed handler (methods())
 * needs one.
 */
function bindSchemas(lm: LoadedModule, protocol: Protocol | undefined): void {
  for (const h of lm.module?.handlers ?? []) {
    if (h.kind !== 'request') continue;
    const m = protocol?.methods.get(h.method);
    if (protocol && !m) throw new FluxError(Errno.EINVAL, `protocol ${protocol.name} declares no method ${h.method}`);
    if (!m) {
      if (h.typed) throw new FluxError(Errno.EINVAL, `${h.method}: a typed handler needs the module's protocol`);
      continue;
    }
    lm.schemas.set(h.absolute ? h.method : `${lm.name}.${h.method}`, m);
  }
}

/** The route a request took, as uuid prefixes joined by '!' (flux ping). */
export function routeString(msg: Message, brokerUuid: string): string {
  return [...msg.route, brokerUuid].map((u) => u.slice(0, 8)).join('!');
}
