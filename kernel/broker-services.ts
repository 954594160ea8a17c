/**
 * The broker's own services (broker, config, attr, log, module, event,
 * state-machine) as the built-in module `broker`: a manifest, a class and a
 * handler table of its methods, like every module (ADR 0018). The module host
 * serves it first, on the broker's own endpoint (ModuleHost.loadBuiltin), and
 * checks each request against kernel/protocol.avsc before a handler runs.
 *
 * What it needs of the Broker it gets through IBrokerCore, a token that only
 * this module's container holds: a sibling's container cannot resolve it, and
 * no module can name it (a plain Symbol, and lint keeps modules/ out of here).
 */
import { inject, injectable } from 'tsyringe';
import { Errno } from '../lib/errno';
import { FluxError, toFluxError } from '../lib/errors';
import { brokerProtocol, type BrokerProtocol } from '../lib/protocol/broker';
import type { Handle } from './api/handle';
import { NO_RESPONSE, defineModule, methods, request, type BrokerModule, type RequestHandler } from './api/module';
import { IHandle, type Token } from './api/tokens';
import type { Broker } from './broker';
import { reconfigure, parseSources, rereadConfig } from './config/reload';
import { MsgFlag, Role, type Message } from './message/message';
import { routeString } from './module/module-host';
import { idleReducer } from '../lib/idle-reduce';
import { sendInPieces } from '../lib/bounded-ring';
import { entryBytes, type LogEntry } from './log/log-ring';

/** What the broker module may use of the Broker (and nothing else may). */
export type BrokerCore = Pick<Broker, 'uuid' | 'rank' | 'args' | 'attrs' | 'applyAttr' | 'config' | 'configSchema' | 'logRing' | 'log' | 'modules' | 'publish' | 'requestShutdown' | 'pushCleanup' | 'sm'>;
export const IBrokerCore: Token<BrokerCore> = Symbol('flux.kernel.broker-core');

/**
 * What a guest ([access] allow-guest-user) may ask of the broker itself: reads
 * that tell nothing private, its own log lines, and events (as Flux: they
 * carry its userid, and every handler with an effect ignores an event without
 * the owner role, lib/owner-event.ts). Everything else here (module,
 * attr.set, config load/reload, shutdown, dmesg, log.clear, and any service
 * added later) needs the owner role.
 */
const GUEST = new Set(['broker.ping', 'attr.get', 'attr.list', 'config.get', 'state-machine.get', 'log.append', 'overlay.status', 'groups.get', 'event.pub']);

const typed = methods<BrokerProtocol>();
/** A handler of a whole topic (the broker serves several services), open to guests when GUEST names it. */
const method: typeof typed = (topic, fn, opts = {}) => typed(topic, fn, { absolute: true, ownerOnly: !GUEST.has(topic), ...opts });

/** An overlay service (TreeHost.extraServices) as a handler of the broker module. */
export const treeService = (topic: string, fn: (msg: Message) => unknown): RequestHandler => request(topic, fn, { absolute: true, ownerOnly: !GUEST.has(topic) });

@injectable()
export class BrokerServices implements BrokerModule {
  /** besides `broker`, the module's load name */
  readonly services = ['attr', 'log', 'module', 'event', 'state-machine', 'config', 'runat'];
  /** `flux dmesg --follow` streams by `${sender}:${matchtag}`: its request, and how to stop it */
  private readonly follows = new Map<string, { msg: Message; stop: () => void }>();

  constructor(
    @inject(IBrokerCore) private readonly b: BrokerCore,
    @inject(IHandle) private readonly h: Handle,
  ) {}

  readonly handlers = [
    method('broker.ping', (req, msg) => ({ ...req, route: routeString(msg, this.b.uuid), userid: msg.userid, rolemask: msg.rolemask })),
    // flux shutdown: rank 0 leaves RUN (the instance then shuts down as after its initial program)
    method('broker.shutdown', () => {
      if (this.b.rank !== 0) throw new FluxError(Errno.EINVAL, 'shutdown must be requested of rank 0');
      this.b.requestShutdown();
      return {};
    }),

    // flux admin cleanup-push: commands for rank 0's CLEANUP, ahead of those pushed before
    method('runat.push', (req) => (this.b.pushCleanup(req.name, req.commands), {})),

    // flux config get: the configuration in force (as loaded at start, or by the last load/reload)
    method('config.get', () => ({ config: this.b.config })),
    // flux config reload: the files (and --conf overrides) the broker started with, read again
    method('config.reload', async () => {
      const { config, where } = await rereadConfig(this.b.args.configPath ?? this.b.attrs.get('config.path'), this.b.args.confOverrides).catch((e) => Promise.reject(toFluxError(e)));
      await reconfigure(this.b, config, where);
      return {};
    }),
    // flux config load: documents the client read {sources: [{name, text}]}
    method('config.load', async (req) => {
      const { config, where } = parseSources(req.sources);
      await reconfigure(this.b, config, where);
      return {};
    }),

    method('attr.get', (req) => {
      const value = this.b.attrs.get(req.name);
      if (value === undefined) throw new FluxError(Errno.ENOENT, `${req.name}: No such file or directory`);
      return { value, flags: this.b.attrs.flags(req.name) };
    }),
    method('attr.set', (req) => {
      this.b.attrs.setAtRuntime(req.name, req.value, req.force === true);
      this.b.applyAttr(req.name);
      return {};
    }),
    method('attr.list', () => ({ attrs: this.b.attrs.names().map((n) => [n, this.b.attrs.get(n) ?? null]) })),

    method('log.append', (req) => {
      for (const e of req.entries) {
        this.b.logRing.append(e.severity ?? 5, e.appname ?? 'logger', e.text, e.hostname ?? String(this.b.rank), e.timestamp ?? undefined);
      }
      return {};
    }),
    method('log.dmesg', (req, msg) => {
      if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
      const key = `${msg.route[0]}:${msg.matchtag}`;
      // new entries wait behind the backlog, which leaves in pieces (lib/bounded-ring.ts)
      const queued: LogEntry[] = [];
      let send = (e: LogEntry): void => void queued.push(e);
      if (req.follow) this.follows.set(key, { msg, stop: this.b.logRing.listen((e) => send(e)) });
      const backlog = req.nobacklog ? [] : [...this.b.logRing.all()];
      void sendInPieces(backlog, entryBytes, (e) => this.h.respond(msg, { entry: e }), 1 << 20, () => req.follow === true && !this.follows.has(key)).then(() => {
        send = (e) => this.h.respond(msg, { entry: e });
        if (!req.follow) this.h.respondError(msg, Errno.ENODATA);
        else if (this.follows.has(key)) queued.forEach(send);
      });
      return NO_RESPONSE;
    }),
    // the client cancelled its --follow stream (ADR 0011): stop it, end it with ENODATA
    method('log.stream-cancel', (req, msg) => {
      const key = `${msg.route[0]}:${req.matchtag}`;
      const f = this.follows.get(key);
      this.follows.delete(key);
      f?.stop();
      if (f) this.h.respondError(f.msg, Errno.ENODATA);
      return {};
    }),
    // `flux module stats log`: the log ring and its followers
    method('log.stats-get', () => ({ entries: this.b.logRing.ring.length, bytes: this.b.logRing.ring.bytes, max_bytes: this.b.logRing.ring.maxBytes, followers: this.follows.size })),
    method('log.clear', () => {
      this.b.logRing.clear();
      return {};
    }),
    // sent by the router (rolemask 0) when a client goes away: its followers go too
    method('log.disconnect', (_req, msg) => {
      for (const [k, f] of this.follows) {
        if (!k.startsWith(`${msg.route[0]}:`)) continue;
        f.stop();
        this.follows.delete(k);
      }
      return NO_RESPONSE;
    }),

    method('module.load', async (req) => {
      await this.b.modules.load(req.path, req.args ?? [], req.name || undefined);
      return {};
    }),
    // one request, so that a reload that fails leaves the old module running
    method('module.reload', async (req) => {
      await this.b.modules.reload(req.path, req.args ?? [], req.name || undefined, req.force === true, req.cancel === true);
      return {};
    }),
    method('module.remove', async (req) => {
      await this.b.modules.remove(req.name, req.cancel === true);
      return {};
    }),
    // flux module trace: each message of the modules asked for, until the client cancels or goes away
    method('module.trace', (req, msg) => {
      if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
      const filter = { names: req.names ?? [], nodeid: -1, typemask: req.typemask ?? 0, topic_glob: req.topic_glob ?? '*', full: req.full === true };
      this.b.modules.tracer.add(`${msg.route[0]}:${msg.matchtag}`, filter, (r) => this.h.respond(msg, r));
      this.b.modules.retrace();
      return NO_RESPONSE;
    }),
    method('module.disconnect', (_req, msg) => {
      const n = this.b.modules.tracer.removeAll(`${msg.route[0]}:`);
      if (n > 0) this.b.log(7, 'broker', `module trace: ${n} stream(s) of a client that went away stopped`);
      this.b.modules.retrace();
      return NO_RESPONSE;
    }),
    method('module.list', () => ({
      mods: this.b.modules.list().map((m) => ({
        name: m.name,
        path: m.path,
        idle: Math.floor((Date.now() - m.handle.lastActivity) / 1000),
        status: m.state,
        services: m.services,
        sendqueue: 0,
        recvqueue: 0,
      })),
    })),

    // the event carries its publisher's credentials (forwarded by another rank's broker: the ones it names); flags
    // 0x20 (private) keeps it from other users (connector/access.ts)
    method('event.pub', async (req, msg) => {
      const flags = req.flags ?? 0;
      if (flags & ~MsgFlag.Private) throw new FluxError(Errno.EPROTO, 'event.pub: malformed request: flags may be 0 or 0x20 (private)');
      const fwd = msg.rolemask & Role.Owner && typeof req.userid === 'number' && typeof req.rolemask === 'number';
      for (const [k, v] of fwd ? Object.entries({ userid: req.userid!, rolemask: req.rolemask! }) : []) {
        if (!(v >= 0 && v <= 0xffffffff)) throw new FluxError(Errno.EPROTO, `event.pub: malformed request: ${k}: expected a 32-bit unsigned integer, got ${v}`);
      }
      await this.b.publish(req.topic, req.payload, { userid: fwd ? req.userid! : msg.userid, rolemask: fwd ? req.rolemask! : msg.rolemask, flags });
      return {};
    }),

    method('state-machine.get', () => ({ state: this.b.sm.state, duration: this.b.sm.duration })),

    // flux module stats broker: the process's memory and what broker.idle-reduce did
    method('broker.stats-get', () => {
      const m = process.memoryUsage();
      const last = idleReducer.last;
      return {
        memory: { rss: m.rss, heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external },
        idle_reduce: {
          quiet: this.b.attrs.get('broker.idle-reduce') ?? 'none',
          count: idleReducer.count,
          last: last === undefined ? null : { time: last.time, method: last.method, rss_before: last.rssBefore, rss_after: last.rssAfter, ms: last.ms },
        },
      };
    }),
  ];
}

export const brokerModule = defineModule({
  name: 'broker',
  description: "the broker's own services",
  protocol: brokerProtocol,
  module: BrokerServices,
});
