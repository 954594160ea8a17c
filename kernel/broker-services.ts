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
import type { LogEntry } from './log/log-ring';

type Handler = (b: Broker, msg: Message) => unknown | Promise<unknown>;

/** marker: the handler answered (or will answer) by itself */
export const HANDLED = Symbol('handled');

function str(p: unknown, key: string, topic: string): string {
  const v = (p as Record<string, unknown> | undefined)?.[key];
  if (typeof v !== 'string') throw new FluxError(Errno.EPROTO, `${topic}: malformed request: ${key} must be a string`);
  return v;
}

/** `flux dmesg --follow` streams by `${sender}:${matchtag}`: how to stop each, and its request */
const dmesgWatchers = new Map<string, () => void>();
const dmesgRequests = new Map<string, Message>();

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

export const brokerServices: Record<string, Handler> = {
  'broker.ping': (b, msg) => ({ ...(msg.payload as object), route: routeString(msg, b.ctx) }),

  // flux shutdown: rank 0 leaves RUN (the instance then shuts down as after its initial program)
  'broker.shutdown': (b) => {
    if (b.rank !== 0) throw new FluxError(Errno.EINVAL, 'shutdown must be requested of rank 0');
    b.requestShutdown();
    return {};
  },

  // flux config get: the configuration in force (as loaded at start, or by the last load/reload)
  'config.get': (b) => ({ config: b.config }),
  // flux config reload: the files (and --conf overrides) the broker started with, read again
  'config.reload': async (b, msg) => {
    ownerOnly(msg);
    const { config, where } = await rereadConfig(b.args.configPath ?? b.attrs.get('config.path'), b.args.confOverrides);
    await reconfigure(reconfigurable(b), config, where);
    return {};
  },
  // flux config load: documents the client read {sources: [{name, text}]}
  'config.load': async (b, msg) => {
    ownerOnly(msg);
    const { config, where } = parseSources((msg.payload as { sources?: unknown } | undefined)?.sources);
    await reconfigure(reconfigurable(b), config, where);
    return {};
  },

  'attr.get': (b, msg) => {
    const name = str(msg.payload, 'name', msg.topic);
    const value = b.attrs.get(name);
    if (value === undefined) throw new FluxError(Errno.ENOENT, `${name}: No such file or directory`);
    return { value, flags: b.attrs.flags(name) };
  },
  'attr.set': (b, msg) => {
    const name = str(msg.payload, 'name', msg.topic);
    const value = str(msg.payload, 'value', msg.topic);
    const force = (msg.payload as { force?: unknown }).force === true;
    b.attrs.setAtRuntime(name, value, force);
    b.applyAttr(name);
    return {};
  },
  'attr.list': (b) => ({
    attrs: b.attrs.names().map((n) => [n, b.attrs.get(n) ?? null]),
  }),

  'log.append': (b, msg) => {
    const entries = (msg.payload as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: entries must be an array`);
    for (const e of entries as Partial<LogEntry>[]) {
      if (typeof e.text !== 'string') continue;
      b.logRing.append(
        typeof e.severity === 'number' ? e.severity : 5,
        typeof e.appname === 'string' ? e.appname : 'logger',
        e.text,
        typeof e.hostname === 'string' ? e.hostname : String(b.rank),
        typeof e.timestamp === 'number' ? e.timestamp : undefined,
      );
    }
    return {};
  },
  'log.dmesg': (b, msg) => {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
    const p = (msg.payload ?? {}) as { follow?: boolean; nobacklog?: boolean };
    if (!p.nobacklog) for (const e of b.logRing.all()) b.self.respond(msg, { entry: e });
    if (!p.follow) {
      b.self.respondError(msg, Errno.ENODATA);
      return HANDLED;
    }
    const key = `${msg.route[0]}:${msg.matchtag}`;
    dmesgWatchers.set(
      key,
      b.logRing.listen((e) => b.self.respond(msg, { entry: e })),
    );
    dmesgRequests.set(key, msg);
    return HANDLED;
  },
  // the client cancelled its --follow stream (ADR 0011): stop it, end it with ENODATA
  'log.stream-cancel': (b, msg) => {
    const tag = (msg.payload as { matchtag?: unknown } | undefined)?.matchtag;
    if (typeof tag !== 'number' || !Number.isInteger(tag)) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: matchtag must be an integer`);
    const key = `${msg.route[0]}:${tag}`;
    const stop = dmesgWatchers.get(key);
    const req = dmesgRequests.get(key);
    dmesgWatchers.delete(key);
    dmesgRequests.delete(key);
    stop?.();
    if (req) b.self.respondError(req, Errno.ENODATA);
    return {};
  },
  // `flux module stats log`: the log ring and its followers
  'log.stats-get': (b) => ({ entries: b.logRing.all().length, followers: dmesgWatchers.size }),
  'log.clear': (b) => {
    b.logRing.clear();
    return {};
  },
  'log.disconnect': (_b, msg) => {
    const who = msg.route[0];
    for (const [k, stop] of dmesgWatchers) {
      if (k.startsWith(`${who}:`)) {
        stop();
        dmesgWatchers.delete(k);
        dmesgRequests.delete(k);
      }
    }
    return HANDLED;
  },

  'module.load': async (b, msg) => {
    const p = (msg.payload ?? {}) as { path?: unknown; name?: unknown; args?: unknown };
    const spec = str(p, 'path', msg.topic);
    const args = Array.isArray(p.args) ? p.args.map(String) : [];
    const name = typeof p.name === 'string' && p.name.length > 0 ? p.name : undefined;
    await b.modules.load(spec, args, name);
    return {};
  },
  // one request, so that a reload that fails leaves the old module running
  'module.reload': async (b, msg) => {
    const p = (msg.payload ?? {}) as { path?: unknown; name?: unknown; args?: unknown; force?: unknown };
    const spec = str(p, 'path', msg.topic);
    const args = Array.isArray(p.args) ? p.args.map(String) : [];
    const name = typeof p.name === 'string' && p.name.length > 0 ? p.name : undefined;
    await b.modules.reload(spec, args, name, p.force === true);
    return {};
  },
  'module.remove': async (b, msg) => {
    await b.modules.remove(str(msg.payload, 'name', msg.topic));
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

  'event.pub': async (b, msg) => {
    const topic = str(msg.payload, 'topic', msg.topic);
    await b.publish(topic, (msg.payload as { payload?: unknown }).payload);
    return {};
  },

  'state-machine.get': (b) => ({ state: b.sm.state, duration: b.sm.duration }),
};

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

/** Dispatch a request to the broker's own services. */
export function dispatchBrokerRequest(b: Broker, msg: Message): void {
  const h = brokerServices[msg.topic] ?? b.extraServices.get(msg.topic);
  if (!h) {
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
    const r = h(b, msg);
    if (r instanceof Promise) r.then((v) => v !== HANDLED && b.self.respond(msg, v), fail);
    else if (r !== HANDLED) b.self.respond(msg, r);
  } catch (e) {
    fail(e);
  }
}
