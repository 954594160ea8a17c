/**
 * LocalHandle (kernel/router/local-handle.ts) as a transport over the one RPC
 * tracker: a module's rpc, stream and cancel through a real Router to another
 * endpoint's service, with the semantics the socket client has (ADR 0011).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../../lib/errno';
import { FluxError } from '../../../../lib/errors';
import { MsgFlag, type Message } from '../../../../kernel/message/message';
import { Router } from '../../../../kernel/router/router';
import { LocalHandle, type BrokerContext } from '../../../../kernel/router/local-handle';
import { JsonBytes } from '../../../../kernel/message/codec';

function setup(): { client: LocalHandle; server: LocalHandle; watches: Map<number, Message>; log: string[] } {
  const router = new Router(0, 'broker-0');
  const ctx: BrokerContext = { router, rank: 0, size: 1, getattr: () => undefined, log: () => undefined, publish: async () => undefined };
  const server = new LocalHandle(ctx, 'svc');
  const client = new LocalHandle(ctx, 'mod');
  router.addEndpoint(server);
  router.addEndpoint(client);
  router.addService('svc', server.uuid);
  const watches = new Map<number, Message>();
  const log: string[] = [];
  server.onRequest = (msg) => {
    log.push(msg.topic);
    switch (msg.topic) {
      case 'svc.echo':
        server.respond(msg, msg.payload);
        break;
      case 'svc.watch':
        assert.ok(msg.flags & MsgFlag.Streaming, 'a stream request carries the streaming flag');
        watches.set(msg.matchtag, msg);
        server.respond(msg, { n: 1 });
        break;
      case 'svc.stream-cancel': {
        const tag = (msg.payload as { matchtag: number }).matchtag;
        const w = watches.get(tag);
        watches.delete(tag);
        if (w) server.respondError(w, Errno.ENODATA);
        server.respond(msg, {});
        break;
      }
      default:
        server.respondError(msg, Errno.ENOSYS);
    }
  };
  return { client, server, watches, log };
}

test('rpc through the router resolves with the answer; errors are FluxErrors', async () => {
  const { client } = setup();
  assert.equal(await client.rpc('svc.echo', { x: 1 }), { x: 1 });
  try {
    await client.rpc('svc.nope', {});
    assert.unreachable();
  } catch (e) {
    assert.instance(e, FluxError);
    assert.is((e as FluxError).errno, Errno.ENOSYS);
  }
  assert.is(client.outstanding, 0);
});

test("cancel tells the server, which frees the stream's state; nothing is left outstanding", async () => {
  const { client, watches, log } = setup();
  const got: unknown[] = [];
  const s = client.rpcStream('svc.watch', {}, { onResponse: (p) => got.push(p) });
  assert.equal(got, [{ n: 1 }]);
  assert.is(watches.size, 1);
  await s.cancel();
  await s.done;
  assert.is(watches.size, 0, 'the server dropped the watch');
  assert.equal(log, ['svc.watch', 'svc.stream-cancel']);
  assert.is(client.outstanding, 0);
});

test('a cancel passed around on its own still works (bound)', async () => {
  const { client, watches } = setup();
  const s = client.rpcStream('svc.watch', {}, { onResponse: () => undefined });
  const holder = { cancel: s.cancel };
  await holder.cancel();
  assert.is(watches.size, 0);
});

test('abortAll rejects outstanding calls', async () => {
  const { client } = setup();
  const s = client.rpcStream('svc.watch', {}, { onResponse: () => undefined });
  client.abortAll(Errno.ENOSYS, 'module mod is unloading');
  try {
    await s.done;
    assert.unreachable();
  } catch (e) {
    assert.is((e as FluxError).message, 'module mod is unloading');
  }
});

test('a payload already encoded (JsonBytes) reaches a module in process as the value it encodes', async () => {
  const { client } = setup();
  const bytes = new JsonBytes(Buffer.from('{"jobspec":{"version":1},"urgency":16}'));
  assert.equal(await client.rpc('svc.echo', bytes), { jobspec: { version: 1 }, urgency: 16 });
});

test.run();
