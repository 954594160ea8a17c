/**
 * Router (kernel/router/router.ts) by the rules of RFC 3 / broker.md §4.4:
 * ANY goes to the local service or up the tree (ENOSYS only at rank 0),
 * responses retrace the route stack, events reach subscribers only, and nodeid
 * routing goes down toward a child or up to the parent through an OverlayPort.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import {
  MsgFlag,
  MsgType,
  NODEID_ANY,
  event,
  request,
  responseTo,
  type Message,
} from '../../../../kernel/message/message';
import { Router, type Endpoint, type OverlayPort } from '../../../../kernel/router/router';

/** An endpoint that records what it receives. */
class Box implements Endpoint {
  readonly got: Message[] = [];
  constructor(
    readonly uuid: string,
    readonly name = uuid,
  ) {}
  deliver(msg: Message): void {
    this.got.push(msg);
  }
  /** messages of one type */
  of(type: number): Message[] {
    return this.got.filter((m) => m.type === type);
  }
}

/** An OverlayPort whose links are arrays; `down` names links that are down. */
class FakeOverlay implements OverlayPort {
  readonly toParent: Message[] = [];
  readonly toChild = new Map<string, Message[]>();
  readonly eventsDown: Message[] = [];
  readonly down = new Set<string>();
  constructor(
    readonly parentUuid: string | undefined,
    /** child uuid -> ranks in its subtree */
    private readonly children: Record<string, number[]>,
  ) {
    for (const c of Object.keys(children)) this.toChild.set(c, []);
  }
  childToward(rank: number): string | undefined {
    for (const [c, ranks] of Object.entries(this.children)) if (ranks.includes(rank)) return c;
    return undefined;
  }
  isChild(uuid: string): boolean {
    return uuid in this.children;
  }
  sendToParent(msg: Message): boolean {
    if (this.parentUuid === undefined || this.down.has(this.parentUuid)) return false;
    this.toParent.push(structuredClone(msg));
    return true;
  }
  sendToChild(uuid: string, msg: Message): boolean {
    if (this.down.has(uuid)) return false;
    this.toChild.get(uuid)!.push(structuredClone(msg));
    return true;
  }
  sendEventDown(msg: Message): void {
    this.eventsDown.push(msg);
  }
}

interface Ctx {
  router: Router;
  client: Box;
  kvs: Box;
  drops: string[];
}

function setup(rank = 0, overlay?: OverlayPort): Ctx {
  const router = new Router(rank, `broker-${rank}`);
  router.overlay = overlay;
  const drops: string[] = [];
  router.onDrop = (_m, why) => drops.push(why);
  const client = new Box('client-1');
  const kvs = new Box('kvs-mod');
  router.addEndpoint(client);
  router.addEndpoint(kvs);
  router.addService('kvs', kvs.uuid);
  return { router, client, kvs, drops };
}

const Local = suite('router: local services');

Local('ANY request reaches the local service with the sender on the route', () => {
  const { router, client, kvs } = setup();
  router.fromEndpoint(client, request('kvs.get', { matchtag: 5, payload: { key: 'a' } }));
  assert.is(kvs.got.length, 1);
  const m = kvs.got[0]!;
  assert.is(m.topic, 'kvs.get');
  assert.equal(m.route, ['client-1']);
  assert.equal(m.payload, { key: 'a' });
});

Local('request for my own rank is delivered locally', () => {
  const { router, client, kvs } = setup(0);
  router.fromEndpoint(client, request('kvs.put', { nodeid: 0 }));
  assert.is(kvs.got.length, 1);
});

Local('the response retraces the route back to the sender', () => {
  const { router, client, kvs } = setup();
  router.fromEndpoint(client, request('kvs.get', { matchtag: 9 }));
  router.fromEndpoint(kvs, responseTo(kvs.got[0]!, { value: 1 }));
  const r = client.of(MsgType.Response);
  assert.is(r.length, 1);
  assert.is(r[0]!.matchtag, 9);
  assert.equal(r[0]!.payload, { value: 1 });
  assert.equal(r[0]!.route, []);
});

Local('ANY with no such service at rank 0 (no parent) is ENOSYS with Flux text', () => {
  const { router, client } = setup(0);
  router.fromEndpoint(client, request('nosuch.method', { matchtag: 3 }));
  const r = client.of(MsgType.Response);
  assert.is(r.length, 1);
  assert.is(r[0]!.errnum, Errno.ENOSYS);
  assert.is(r[0]!.errstr, 'No service matching nosuch.method is registered');
  assert.is(r[0]!.matchtag, 3);
});

Local('ENOSYS at rank 0 even with an overlay that has children', () => {
  const ov = new FakeOverlay(undefined, { c1: [1] });
  const { router, client } = setup(0, ov);
  router.fromEndpoint(client, request('nosuch.method'));
  assert.is(client.of(MsgType.Response)[0]!.errnum, Errno.ENOSYS);
  assert.is(ov.toChild.get('c1')!.length, 0);
});

Local('a no-response request to a missing service gets nothing back', () => {
  const { router, client } = setup(0);
  router.fromEndpoint(client, request('nosuch.method', { flags: MsgFlag.NoResponse }));
  assert.is(client.got.length, 0);
});

Local('a nodeid outside any subtree at rank 0 is EHOSTUNREACH', () => {
  const { router, client } = setup(0, new FakeOverlay(undefined, { c1: [1] }));
  router.fromEndpoint(client, request('kvs.get', { nodeid: 7 }));
  assert.is(client.of(MsgType.Response)[0]!.errnum, Errno.EHOSTUNREACH);
});

Local('a singleton has no route to another rank', () => {
  const { router, client } = setup(0);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 1 }));
  assert.is(client.of(MsgType.Response)[0]!.errnum, Errno.EHOSTUNREACH);
});

Local('a response with an empty route is dropped, not delivered', () => {
  const { router, client, drops } = setup();
  const m = responseTo(request('kvs.get'));
  router.routeResponse(m);
  assert.is(client.got.length, 0);
  assert.equal(drops, ['response with an empty route']);
});

Local('removing an endpoint drops its services and tells services it used', () => {
  const { router, client, kvs } = setup();
  router.fromEndpoint(client, request('kvs.get'));
  const svcOwner = new Box('svc-client');
  router.addEndpoint(svcOwner);
  router.addService('mysvc', svcOwner.uuid);
  router.removeEndpoint(client.uuid);
  const disc = kvs.got.filter((m) => m.topic === 'kvs.disconnect');
  assert.is(disc.length, 1);
  assert.is(disc[0]!.flags & MsgFlag.NoResponse, MsgFlag.NoResponse);
  assert.equal(disc[0]!.route, ['client-1']);
  router.removeEndpoint(svcOwner.uuid);
  assert.is(router.serviceOwner('mysvc'), undefined);
});

Local('a second owner for a service is EEXIST; the same owner is fine', () => {
  const { router, kvs } = setup();
  router.addService('kvs', kvs.uuid);
  try {
    router.addService('kvs', 'other');
    assert.unreachable('addService should throw');
  } catch (e) {
    assert.is((e as { errno?: number }).errno, Errno.EEXIST);
  }
});

Local.run();

const Events = suite('router: events');

Events('events reach only endpoints subscribed to a matching prefix, once each', () => {
  const { router, client, kvs } = setup();
  const other = new Box('other');
  router.addEndpoint(other);
  router.subscribe(client.uuid, 'heartbeat.');
  router.subscribe(client.uuid, 'heartbeat.pulse');
  router.subscribe(kvs.uuid, 'job-state');
  router.dispatchEvent(event('heartbeat.pulse', {}, 1));
  assert.is(client.of(MsgType.Event).length, 1);
  assert.is(kvs.of(MsgType.Event).length, 0);
  assert.is(other.got.length, 0);
});

Events('the empty prefix matches every topic; unsubscribe stops delivery', () => {
  const { router, client } = setup();
  router.subscribe(client.uuid, '');
  router.dispatchEvent(event('anything.at-all', {}, 1));
  router.unsubscribe(client.uuid, '');
  router.dispatchEvent(event('anything.again', {}, 2));
  assert.equal(
    client.of(MsgType.Event).map((m) => m.topic),
    ['anything.at-all'],
  );
});

Events('events are passed down the tree', () => {
  const ov = new FakeOverlay(undefined, { c1: [1] });
  const { router } = setup(0, ov);
  router.dispatchEvent(event('x.y', {}, 4));
  assert.is(ov.eventsDown.length, 1);
  assert.is(ov.eventsDown[0]!.nodeid, 4);
});

Events('an endpoint cannot send an event directly', () => {
  const { router, client, drops } = setup();
  router.subscribe(client.uuid, '');
  router.fromEndpoint(client, event('x.y'));
  assert.is(client.got.length, 0);
  assert.is(drops.length, 1);
});

Events.run();

const Tree = suite('router: nodeid routing through the overlay');

Tree('ANY request for a service missing here goes to the parent, sender then broker on the route', () => {
  const ov = new FakeOverlay('broker-0', {});
  const { router, client } = setup(1, ov);
  router.fromEndpoint(client, request('job-manager.submit', { matchtag: 2 }));
  assert.is(ov.toParent.length, 1);
  assert.equal(ov.toParent[0]!.route, ['client-1', 'broker-1']);
  assert.is(client.got.length, 0);
});

Tree('a request for a rank in a child subtree goes to that child with my uuid pushed', () => {
  const ov = new FakeOverlay(undefined, { c1: [1, 3, 4], c2: [2, 5, 6] });
  const { router, client } = setup(0, ov);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 5, matchtag: 11 }));
  assert.is(ov.toChild.get('c1')!.length, 0);
  const sent = ov.toChild.get('c2')!;
  assert.is(sent.length, 1);
  assert.equal(sent[0]!.route, ['client-1', 'broker-0']);
  assert.is(sent[0]!.nodeid, 5);
});

Tree('a request for a rank outside my subtree goes up', () => {
  const ov = new FakeOverlay('broker-0', { c3: [3] });
  const { router, client } = setup(1, ov);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 2 }));
  assert.is(ov.toParent.length, 1);
  assert.is(ov.toChild.get('c3')!.length, 0);
});

Tree('upstream flag with nodeid == my rank skips the local service and goes up', () => {
  const ov = new FakeOverlay('broker-0', {});
  const { router, client, kvs } = setup(1, ov);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 1, flags: MsgFlag.Upstream }));
  assert.is(kvs.got.length, 0);
  assert.is(ov.toParent.length, 1);
});

Tree('upstream flag at the next broker (nodeid != rank) is looked up locally', () => {
  const ov = new FakeOverlay(undefined, { c1: [1] });
  const { router, kvs } = setup(0, ov);
  const m = request('kvs.get', { nodeid: 1, flags: MsgFlag.Upstream });
  m.route = ['client-x', 'broker-1'];
  router.routeRequest(m);
  assert.is(kvs.got.length, 1);
});

Tree('a request arriving from the parent is answered back up the route', () => {
  const ov = new FakeOverlay('broker-0', {});
  const { router, kvs } = setup(1, ov);
  const m = request('kvs.get', { nodeid: 1, matchtag: 8 });
  m.route = ['client-x', 'broker-0'];
  router.routeRequest(m);
  assert.is(kvs.got.length, 1);
  router.fromEndpoint(kvs, responseTo(kvs.got[0]!, { ok: true }));
  assert.is(ov.toParent.length, 1);
  const r = ov.toParent[0]!;
  assert.is(r.type, MsgType.Response);
  assert.equal(r.route, ['client-x']);
  assert.equal(r.payload, { ok: true });
});

Tree('a response whose next hop is a child goes down to it', () => {
  const ov = new FakeOverlay(undefined, { c1: [1] });
  const { router } = setup(0, ov);
  const req = request('kvs.get', { matchtag: 4 });
  req.route = ['client-on-1', 'c1'];
  router.routeResponse(responseTo(req, {}));
  const sent = ov.toChild.get('c1')!;
  assert.is(sent.length, 1);
  assert.equal(sent[0]!.route, ['client-on-1']);
});

Tree('a child link that is down gives EHOSTUNREACH, and the route is restored', () => {
  const ov = new FakeOverlay(undefined, { c1: [1] });
  ov.down.add('c1');
  const { router, client } = setup(0, ov);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 1, matchtag: 6 }));
  const r = client.of(MsgType.Response);
  assert.is(r.length, 1);
  assert.is(r[0]!.errnum, Errno.EHOSTUNREACH);
  assert.is(r[0]!.matchtag, 6);
});

Tree('a parent link that is down gives EHOSTUNREACH', () => {
  const ov = new FakeOverlay('broker-0', {});
  ov.down.add('broker-0');
  const { router, client } = setup(1, ov);
  router.fromEndpoint(client, request('nosuch.x'));
  assert.is(client.of(MsgType.Response)[0]!.errnum, Errno.EHOSTUNREACH);
});

Tree('a response to an unknown hop is dropped', () => {
  const ov = new FakeOverlay('broker-0', { c1: [1] });
  const { router, drops } = setup(1, ov);
  const req = request('kvs.get');
  req.route = ['nobody-known'];
  router.routeResponse(responseTo(req));
  assert.is(drops.length, 1);
  assert.match(drops[0]!, /no route to/);
  assert.is(ov.toParent.length, 0);
});

Tree('a two-broker chain: request up, response back down to the client', () => {
  // rank 1 (child of 0) has the client; rank 0 has the service
  const r0 = new Router(0, 'broker-0');
  const r1 = new Router(1, 'broker-1');
  const ov0: OverlayPort = {
    parentUuid: undefined,
    childToward: (rank) => (rank === 1 ? 'broker-1' : undefined),
    isChild: (u) => u === 'broker-1',
    sendToParent: () => false,
    sendToChild: (_u, m) => {
      if (m.type === MsgType.Response) r1.routeResponse(structuredClone(m));
      else r1.routeRequest(structuredClone(m));
      return true;
    },
    sendEventDown: (m) => r1.dispatchEvent(structuredClone(m)),
  };
  const ov1: OverlayPort = {
    parentUuid: 'broker-0',
    childToward: () => undefined,
    isChild: () => false,
    sendToParent: (m) => {
      if (m.type === MsgType.Response) r0.routeResponse(structuredClone(m));
      else r0.routeRequest(structuredClone(m));
      return true;
    },
    sendToChild: () => false,
    sendEventDown: () => {},
  };
  r0.overlay = ov0;
  r1.overlay = ov1;
  const svc = new Box('sched-mod');
  r0.addEndpoint(svc);
  r0.addService('sched', svc.uuid);
  const client = new Box('client-on-1');
  r1.addEndpoint(client);
  r1.subscribe(client.uuid, 'sched.');
  r1.fromEndpoint(client, request('sched.alloc', { matchtag: 77, nodeid: NODEID_ANY }));
  assert.is(svc.got.length, 1);
  assert.equal(svc.got[0]!.route, ['client-on-1', 'broker-1']);
  r0.fromEndpoint(svc, responseTo(svc.got[0]!, { type: 'success' }));
  const resp = client.of(MsgType.Response);
  assert.is(resp.length, 1);
  assert.is(resp[0]!.matchtag, 77);
  assert.equal(resp[0]!.payload, { type: 'success' });
  // and an event published at rank 0 reaches the subscriber on rank 1
  r0.dispatchEvent(event('sched.ready', {}, 1));
  assert.equal(
    client.of(MsgType.Event).map((m) => m.topic),
    ['sched.ready'],
  );
});

Tree.run();

const Encode = suite('router: a message the overlay cannot encode never throws into the caller');

/** An overlay whose links refuse to encode (as SecureLink.send throws for a payload JSON cannot carry). */
class RefusingOverlay extends FakeOverlay {
  refuse = (msg: Message) => (msg.payload as { deep?: unknown } | undefined)?.deep !== undefined;
  private check(msg: Message): void {
    if (this.refuse(msg)) throw new FluxError(Errno.EPROTO, `${msg.topic}: payload cannot be encoded: Maximum call stack size exceeded`);
  }
  override sendToParent(msg: Message): boolean {
    this.check(msg);
    return super.sendToParent(msg);
  }
  override sendToChild(uuid: string, msg: Message): boolean {
    this.check(msg);
    return super.sendToChild(uuid, msg);
  }
  override sendEventDown(msg: Message): void {
    this.check(msg);
    super.sendEventDown(msg);
  }
}

Encode('a request for another rank fails back to its sender with the reason', () => {
  const ov = new RefusingOverlay(undefined, { c1: [1] });
  const { router, client } = setup(0, ov);
  router.fromEndpoint(client, request('kvs.get', { nodeid: 1, matchtag: 4, payload: { deep: 1 } }));
  const r = client.of(MsgType.Response);
  assert.is(r.length, 1);
  assert.is(r[0]!.errnum, Errno.EPROTO);
  assert.is(r[0]!.errstr, 'kvs.get: payload cannot be encoded: Maximum call stack size exceeded');
  assert.is(r[0]!.matchtag, 4);
  assert.is(ov.toChild.get('c1')!.length, 0);
});

Encode('a request going up fails the same way', () => {
  const ov = new RefusingOverlay('parent', {});
  const { router, client } = setup(1, ov);
  router.fromEndpoint(client, request('nosuch.method', { matchtag: 2, payload: { deep: 1 } }));
  assert.is(client.of(MsgType.Response)[0]!.errnum, Errno.EPROTO);
});

Encode('a response that cannot go back to a peer goes as an error response instead', () => {
  const ov = new RefusingOverlay('parent', {});
  const { router, kvs } = setup(1, ov);
  const req = request('kvs.get', { matchtag: 8 });
  req.route = ['somewhere', 'parent'];
  router.routeRequest(req);
  router.fromEndpoint(kvs, responseTo(kvs.got[0]!, { deep: [[[]]] }));
  assert.is(ov.toParent.length, 1);
  const r = ov.toParent[0]!;
  assert.is(r.errnum, Errno.EPROTO);
  assert.is(r.matchtag, 8);
  assert.is(r.payload, undefined);
  assert.equal(r.route, ['somewhere']);
});

Encode('an event that cannot go down is still delivered here, and the drop is named', () => {
  const ov = new RefusingOverlay(undefined, { c1: [1] });
  const { router, client, drops } = setup(0, ov);
  router.subscribe(client.uuid, 'big.');
  router.dispatchEvent(event('big.one', { deep: 1 }, 1));
  assert.is(client.of(MsgType.Event).length, 1);
  assert.equal(drops, ['not sent to other ranks: big.one: payload cannot be encoded: Maximum call stack size exceeded']);
});

Encode.run();
