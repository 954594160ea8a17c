/**
 * The overlay's broker-level services: `overlay.status` on every rank (this
 * broker's subtree, asking online children for theirs, ghost-filling lost or
 * offline ones from the topology; a torpid child is not asked, it is shown
 * torpid), `overlay.disconnect-subtree` on every rank (drop a child, flux
 * overlay disconnect) and, on rank 0, `groups.get` for the `broker.online` and
 * `broker.torpid` groups.
 *
 * Both are declared in overlay/protocol.avsc; where their requests are
 * validated: serve() below, before the handler runs (EPROTO naming the field,
 * as the module host answers a module's).
 */
import { Errno } from '../lib/errno';
import { FluxError } from '../lib/errors';
import type { TreeHost } from '../kernel/tree-host';
import * as idset from '../lib/formats/idset';
import { checkRequest, compileProtocol } from '../lib/protocol/avro';
import { overlayProtocol, type OverlayProtocol, type StatusNode } from '../lib/protocol/overlay';
import type { Overlay, PeerStatus } from './overlay';
import { monoMs } from '../lib/clock';
import { NO_RESPONSE } from '../kernel/api/module';
import { MsgFlag, type Message } from '../kernel/message/message';

type Method = keyof OverlayProtocol;
type Result<M extends Method> = OverlayProtocol[M]['response'] | Promise<OverlayProtocol[M]['response']>;

/** Answer `method` with `fn`, once the request fits its schema in overlay/protocol.avsc (NO_RESPONSE: fn answers, or nothing does). */
function serve<M extends Method>(b: TreeHost, method: M, fn: (req: OverlayProtocol[M]['request'], msg: Message) => Result<M> | typeof NO_RESPONSE): void {
  // lazy: a method's schema compiles at its first request (a unit test compiles them all)
  const m = compileProtocol(overlayProtocol, { lazy: true }).methods.get(method);
  if (m === undefined) throw new Error(`overlay/protocol.avsc declares no method ${method}`);
  b.extraServices.set(method, (_b, msg) => {
    const c = checkRequest(m, msg.payload);
    if (!c.ok) throw new FluxError(Errno.EPROTO, `${method}: malformed request: ${c.why}`);
    // checked against the method's request schema just above
    return fn(c.value as OverlayProtocol[M]['request'], msg);
  });
}

/** One node of `overlay.status` (see docs/man1/flux-overlay.md). */

function ghosts(ov: Overlay, rank: number, status: PeerStatus, torpid = false): StatusNode[] {
  return ov.topo.children(rank).map((c) => ({
    rank: c,
    host: ov.hostOf(c),
    status,
    ghost: true,
    ...(torpid ? { torpid } : {}),
    children: ghosts(ov, c, status, torpid),
  }));
}

export async function subtreeStatus(ov: Overlay, b: TreeHost, timeoutMs: number): Promise<StatusNode> {
  const now = Date.now();
  // (a peer's status since: the monotonic clock, to the microsecond, as Flux's durations are)
  const mono = monoMs();
  const children = await Promise.all(
    ov.childInfo().map(async (c): Promise<StatusNode> => {
      const base = { rank: c.rank, host: ov.hostOf(c.rank) };
      if (!c.connected) {
        const node: StatusNode = { ...base, status: c.status, duration: (mono - c.since) / 1000, children: ghosts(ov, c.rank, c.status === 'lost' ? 'lost' : 'offline') };
        if (c.error && c.status === 'lost') node.error = c.error;
        return node;
      }
      if (c.torpidSince !== undefined) {
        // asking would only time out: what it routes to is out of reach too
        return { ...base, status: c.status, torpid: true, duration: (now - c.torpidSince) / 1000, children: ghosts(ov, c.rank, c.status, true) };
      }
      const t0 = monoMs();
      try {
        const sub = await b.self.rpc<StatusNode>('overlay.status', { timeout: timeoutMs / 1000 }, { nodeid: c.rank, timeoutMs });
        return { ...sub, rtt: monoMs() - t0 };
      } catch (e) {
        return { ...base, status: c.status, duration: (mono - c.since) / 1000, error: (e as Error).message, children: [] };
      }
    }),
  );
  return { rank: ov.rank, host: ov.hostOf(ov.rank), status: ov.status, duration: ov.statusDuration, children };
}

/** Register the services with the broker (call once the router exists). */
export function registerOverlayServices(b: TreeHost, ov: Overlay): void {
  serve(b, 'overlay.status', (req) => {
    const t = req.timeout ?? 0.5;
    return subtreeStatus(ov, b, Number.isFinite(t) && t > 0 ? t * 1000 : 500);
  });
  // flux overlay disconnect: owner only (kernel/broker-services.ts GUEST does not name it)
  serve(b, 'overlay.disconnect-subtree', ({ rank }) => {
    ov.disconnectChild(rank);
    return {};
  });
  // the heartbeat's timeout on a follower (modules/heartbeat): owner only, as disconnect-subtree
  serve(b, 'overlay.disconnect-parent', ({ reason }) => {
    ov.disconnectParent(reason);
    return {};
  });
  // flux overlay trace: this broker's links, until the client cancels or goes away
  serve(b, 'overlay.trace', (req, msg) => {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, 'overlay.trace: request must be streaming');
    const filter = { names: [], nodeid: req.nodeid ?? -1, typemask: req.typemask ?? 0, topic_glob: req.topic_glob ?? '*', full: req.full === true };
    ov.tracer.add(`${msg.route[0]}:${msg.matchtag}`, filter, (r) => b.self.respond(msg, r));
    return NO_RESPONSE;
  });
  serve(b, 'overlay.disconnect', (_req, msg) => {
    const n = ov.tracer.removeAll(`${msg.route[0]}:`);
    if (n > 0) b.log(7, 'broker', `overlay trace: ${n} stream(s) of a client that went away stopped`);
    return NO_RESPONSE;
  });
  b.router.addService('overlay', b.uuid);
  if (ov.rank === 0) {
    serve(b, 'groups.get', ({ name }) => {
      if (name === 'broker.torpid') return { members: idset.encode([...ov.torpidSet].sort((a, b) => a - b)) };
      if (name !== 'broker.online') throw new FluxError(Errno.ENOENT, `${name}: no such group`);
      return { members: idset.encode(ov.onlineRanks) };
    });
    b.router.addService('groups', b.uuid);
  }
}
