/** InprocLink: what a socket link gives the overlay, without the socket (order, later delivery, own copies, close after data, the frame limit). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../lib/errno';
import { FluxError } from '../../../lib/errors';
import { MAX_FRAME } from '../../../kernel/message/limits';
import { event, request, type Message } from '../../../kernel/message/message';
import { Fabric, InprocLink } from '../../../overlay/inproc-link';

const settle = () => new Promise((r) => setImmediate(r));

test('in order, and never inside send()', async () => {
  const [child, parent] = InprocLink.pair(new Fabric(), '3', '1');
  const got: string[] = [];
  parent.onMessage = (m) => got.push(m.topic);
  for (const t of ['a', 'b', 'c']) assert.ok(child.send(request(t)));
  assert.equal(got, []);
  await settle();
  assert.equal(got, ['a', 'b', 'c']);
  assert.is(parent.peerName, '3');
  assert.is(child.peerName, '1');
});

test('the receiver gets its own envelope and route, and the payload as JSON carries it', async () => {
  const [child, parent] = InprocLink.pair(new Fabric(), '1', '0');
  let got: Message | undefined;
  parent.onMessage = (m) => (got = m);
  const when = new Date(0);
  const m = request('kvs.get', { payload: { when, gone: undefined, n: 1 } });
  m.route.push('client');
  child.send(m);
  m.route.push('later');
  await settle();
  assert.equal(got!.route, ['client']);
  assert.equal(got!.payload, { when: when.toISOString(), n: 1 });
});

test('one event sent to every child is copied once and shared', async () => {
  const fabric = new Fabric();
  const kids = [InprocLink.pair(fabric, '1', '0'), InprocLink.pair(fabric, '2', '0')];
  const got: unknown[] = [];
  for (const [c] of kids) c.onMessage = (m) => got.push(m.payload);
  const ev = event('overlay.online', { members: '0-2' }, 1);
  for (const [, p] of kids) p.send(ev);
  await settle();
  assert.is(got.length, 2);
  assert.ok(got[0] === got[1]);
  assert.ok(got[0] !== ev.payload);
});

test('a close reaches the peer after what was sent before it; then send is refused', async () => {
  const [child, parent] = InprocLink.pair(new Fabric(), '1', '0');
  const seen: string[] = [];
  parent.onMessage = (m) => seen.push(m.topic);
  parent.onClose = (why) => seen.push(`closed: ${why}`);
  child.send(request('last'));
  child.close();
  assert.is(child.send(request('after')), false);
  await settle();
  assert.equal(seen, ['last', 'closed: lost connection']);
  assert.is(parent.isOpen, false);
  assert.is(parent.send(request('x')), false);
});

test('a payload over the frame limit is EMSGSIZE and the link stays up', () => {
  const [child] = InprocLink.pair(new Fabric(), '1', '0');
  try {
    child.send(request('big', { payload: { s: 'x'.repeat(MAX_FRAME) } }));
    assert.unreachable('sent');
  } catch (e) {
    assert.instance(e, FluxError);
    assert.is((e as FluxError).errno, Errno.EMSGSIZE);
  }
  assert.ok(child.isOpen);
});

test.run();
