/**
 * The services the broker itself answers (broker, attr, log, module, event,
 * state-machine): one handler table, served by the broker's own endpoint.
 */
import { Errno } from '../lib/errno';
import { FluxError, toFluxError } from '../lib/errors';
import { MsgFlag, Role, type Message } from './message/message';
import { kernelConfigSchema } from './config/kernel-schema';
import { parseSources, reconfigure, rereadConfig, type Reconfigurable } from './config/reload';
import type { Broker } from './broker';
import { routeString } from './module/module-host';
import { checkRequest, compileProtocol } from '../lib/protocol/avro';
import { brokerProtocol, type BrokerProtocol } from '../lib/protocol/broker';

/** marker: the handler answered (or will answer) by itself */
export const HANDLED = Symbol('handled');

type Method = keyof BrokerProtocol;
type Req<M extends Method> = BrokerProtocol[M]['request'];
type Res<M extends Method> = BrokerProtocol[M]['response'] | typeof HANDLED;

/**
 * A broker service: `req` is the payload once dispatchBrokerRequest has checked
 * it against the method's request schema (kernel/protocol.avsc).
 */
type Handler<M extends Method> = (b: Broker, req: Req<M>, msg: Message) => Res<M> | Promise<Res<M>>;

/** `flux dmesg --follow` streams of each broker (several may share a process) by `${sender}:${matchtag}`: how to stop each, and its request */
const follows = new WeakMap<Broker, { watchers: Map<string, () => void>; requests: Map<string, Message> }>();
function dmesgOf(b: Broker): { watchers: Map<string, () => void>; requests: Map<string, Message> } {
  let f = follows.get(b);
  if (!f) follows.set(b, (f = { watchers: new Map(), requests: new Map() }));
  return f;
}

function ownerOnly(msg: Message): void {
  if (!(msg.rolemask & Role.Owner)) throw new FluxError(Errno.EPERM, `${msg.topic}: Request requires owner credentials`);
}

/** What a config reload may see and change of the broker (kernel/config/reload.ts). */
function reconfigurable(b: Broker): Reconfigurable {
  return {
    get config() {
      return b.config;
    },
    set config(c) {
      b.config = c;
    },
    configSchema: () => b.configSchema(),
    loadedModules: () => b.modules.list(),
    kernelTables: Object.keys(kernelConfigSchema),
    log: (text) => b.log(3, 'broker', text),
  };
}

export const brokerServices: { readonly [M in Method]: Handler<M> } = {
  'broker.ping': (b, req, msg) => ({ ...req, route: routeString(msg, b.ctx) }),

  // flux shutdown: rank 0 leaves RUN (the instance then shuts down as after its initial program)
  'broker.shutdown': (b) => {
    if (b.rank !== 0) throw new FluxError(Errno.EINVAL, 'shutdown must be requested of rank 0');
    b.requestShutdown();
    return {};
  },

  // flux config get: the configuration in force (as loaded at start, or by the last load/reload)
  'config.get': (b) => ({ config: b.config }),
  // flux config reload: the files (and --conf overrides) the broker started with, read again
  'config.reload': async (b, _req, msg) => {
    ownerOnly(msg);
    const { config, where } = await rereadConfig(b.args.configPath ?? b.attrs.get('config.path'), b.args.confOverrides);
    await reconfigure(reconfigurable(b), config, where);
    return {};
  },
  // flux config load: documents the client read {sources: [{name, text}]}
  'config.load': async (b, req, msg) => {
    ownerOnly(msg);
    const { config, where } = parseSources(req.sources);
    await reconfigure(reconfigurable(b), config, where);
    return {};
  },

  'attr.get': (b, req) => {
    const value = b.attrs.get(req.name);
    if (value === undefined) throw new FluxError(Errno.ENOENT, `${req.name}: No such file or directory`);
    return { value, flags: b.attrs.flags(req.name) };
  },
  'attr.set': (b, req) => {
    b.attrs.setAtRuntime(req.name, req.value, req.force === true);
    b.applyAttr(req.name);
    return {};
  },
  'attr.list': (b) => ({
    attrs: b.attrs.names().map((n) => [n, b.attrs.get(n) ?? null]),
  }),

  'log.append': (b, req) => {
    for (const e of req.entries) {
      b.logRing.append(e.severity ?? 5, e.appname ?? 'logger', e.text, e.hostname ?? String(b.rank), e.timestamp ?? undefined);
    }
    return {};
  },
  'log.dmesg': (b, req, msg) => {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
    if (!req.nobacklog) for (const e of b.logRing.all()) b.self.respond(msg, { entry: e });
    if (!req.follow) {
      b.self.respondError(msg, Errno.ENODATA);
      return HANDLED;
    }
    const key = `${msg.route[0]}:${msg.matchtag}`;
    const { watchers: dmesgWatchers, requests: dmesgRequests } = dmesgOf(b);
    dmesgWatchers.set(
      key,
      b.logRing.listen((e) => b.self.respond(msg, { entry: e })),
    );
    dmesgRequests.set(key, msg);
    return HANDLED;
  },
  // the client cancelled its --follow stream (ADR 0011): stop it, end it with ENODATA
  'log.stream-cancel': (b, req, msg) => {
    const key = `${msg.route[0]}:${req.matchtag}`;
    const { watchers: dmesgWatchers, requests: dmesgRequests } = dmesgOf(b);
    const stop = dmesgWatchers.get(key);
    const stream = dmesgRequests.get(key);
    dmesgWatchers.delete(key);
    dmesgRequests.delete(key);
    stop?.();
    if (stream) b.self.respondError(stream, Errno.ENODATA);
    return {};
  },
  // `flux module stats log`: the log ring and its followers
  'log.stats-get': (b) => ({ entries: b.logRing.all().length, followers: dmesgOf(b).watchers.size }),
  'log.clear': (b) => {
    b.logRing.clear();
    return {};
  },
  'log.disconnect': (b, _req, msg) => {
    const who = msg.route[0];
    const { watchers: dmesgWatchers, requests: dmesgRequests } = dmesgOf(b);
    for (const [k, stop] of dmesgWatchers) {
      if (k.startsWith(`${who}:`)) {
        stop();
        dmesgWatchers.delete(k);
        dmesgRequests.delete(k);
      }
    }
    return HANDLED;
  },

  'module.load': async (b, req) => {
    await b.modules.load(req.path, req.args ?? [], req.name || undefined);
    return {};
  },
  // one request, so that a reload that fails leaves the old module running
  'module.reload': async (b, req) => {
    await b.modules.reload(req.path, req.args ?? [], req.name || undefined, req.force === true);
    return {};
  },
  'module.remove': async (b, req) => {
    await b.modules.remove(req.name);
    return {};
  },
  'module.list': (b) => ({
    mods: b.modules.list().map((m) => ({
      name: m.name,
      path: m.path,
      idle: Math.floor((Date.now() - m.handle.lastActivity) / 1000),
      status: m.state,
      services: m.services,
      sendqueue: 0,
      recvqueue: 0,
    })),
  }),

  'event.pub': async (b, req) => {
    await b.publish(req.topic, req.payload);
    return {};
  },

  'state-machine.get': (b) => ({ state: b.sm.state, duration: b.sm.duration }),
};

/** The broker's protocol, compiled once: what dispatchBrokerRequest checks each request against. */
const protocol = compileProtocol(brokerProtocol);

/**
 * What a guest ([access] allow-guest-user) may ask of the broker itself: reads
 * that tell nothing private, and its own log lines. Everything else here
 * (module, attr.set, config load/reload, shutdown, event.pub, dmesg, log.clear,
 * and any service added later) needs the owner role.
 */
const GUEST_TOPICS = new Set([
  'broker.ping',
  'attr.get',
  'attr.list',
  'config.get',
  'state-machine.get',
  'log.append',
  'log.disconnect',
  'overlay.status',
  'groups.get',
]);

/** A broker service whatever its method (dispatch has checked `req` against the method's schema). */
type AnyHandler = (b: Broker, req: unknown, msg: Message) => unknown;

/**
 * Dispatch a request to the broker's own services. Where a request is
 * validated: here, against kernel/protocol.avsc, before its handler runs; a
 * malformed one is answered EPROTO `<topic>: malformed request: <field>: ...`.
 */
export function dispatchBrokerRequest(b: Broker, msg: Message): void {
  const method = protocol.methods.get(msg.topic);
  const own = method ? (brokerServices as Readonly<Record<string, AnyHandler>>)[msg.topic] : undefined;
  const extra = b.extraServices.get(msg.topic);
  if (!own && !extra) {
    if (msg.topic.endsWith('.disconnect')) return;
    b.self.respondError(msg, Errno.ENOSYS, `No service matching ${msg.topic} is registered`);
    return;
  }
  if (!(msg.rolemask & Role.Owner) && !GUEST_TOPICS.has(msg.topic)) {
    b.self.respondError(msg, Errno.EPERM, `${msg.topic}: Request requires owner credentials`);
    return;
  }
  const fail = (e: unknown) => {
    const fe = toFluxError(e);
    b.self.respondError(msg, fe.errno, fe.bare ? undefined : fe.message);
  };
  try {
    let r: unknown;
    if (own && method) {
      const c = checkRequest(method, msg.payload);
      if (!c.ok) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: ${c.why}`);
      r = own(b, c.value, msg);
    } else {
      r = extra!(b, msg);
    }
    if (r instanceof Promise) r.then((v) => v !== HANDLED && b.self.respond(msg, v), fail);
    else if (r !== HANDLED) b.self.respond(msg, r);
  } catch (e) {
    fail(e);
  }
}
