/**
 * The one RPC tracker (lib/rpc/tracker.ts, ADR 0011) over a fake transport:
 * answers and errors, timeouts, stream ends, matchtag reuse and retirement,
 * and a cancel that tells the server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errno } from '../../../lib/errno';
import { FluxError } from '../../../lib/errors';
import { RpcTracker, TagPool, type OutgoingRequest } from '../../../lib/rpc';

/** A tracker whose requests land in `sent`; answer() feeds a response back. */
function fake(): { t: RpcTracker; sent: OutgoingRequest[]; answer: (tag: number, payload?: unknown, errnum?: number, errstr?: string) => boolean } {
  const sent: OutgoingRequest[] = [];
  const t = new RpcTracker((r) => sent.push(r));
  return { t, sent, answer: (matchtag, payload, errnum = 0, errstr) => t.receive({ matchtag, payload, errnum, errstr }) };
}

async function rejection(p: PromiseLike<unknown>): Promise<FluxError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, FluxError);
    return e as FluxError;
  }
  throw new Error('expected a rejection');
}

test('an rpc resolves with its answer; the request carries a matchtag and the caller nodeid', async () => {
  const { t, sent, answer } = fake();
  const p = t.rpc('svc.get', { a: 1 }, { nodeid: 3 });
  assert.equal(sent, [{ kind: 'rpc', topic: 'svc.get', payload: { a: 1 }, matchtag: 1, nodeid: 3 }]);
  assert.ok(answer(1, { v: 2 }));
  assert.equal(await p, { v: 2 });
  assert.is(t.outstanding, 0);
});

test('an error answer rejects with a FluxError: errno, and errstr or strerror', async () => {
  const { t, answer } = fake();
  const a = t.rpc('svc.a', {});
  const b = t.rpc('svc.b', {});
  answer(1, undefined, Errno.ENOENT, 'x: not here');
  answer(2, undefined, Errno.EPERM);
  const ea = await rejection(a);
  assert.is(ea.errno, Errno.ENOENT);
  assert.is(ea.message, 'x: not here');
  const eb = await rejection(b);
  assert.is(eb.errno, Errno.EPERM);
  assert.is(eb.message, 'Operation not permitted');
  assert.ok(eb.bare);
});

test('matchtags: outstanding calls hold distinct tags; an answered tag is reused', async () => {
  const { t, sent, answer } = fake();
  const a = t.rpc('s.a', {});
  const b = t.rpc('s.b', {});
  assert.equal(sent.map((r) => r.matchtag), [1, 2]);
  answer(1, {});
  await a;
  const c = t.rpc('s.c', {});
  assert.is(sent[2]!.matchtag, 1, 'the answered tag comes back first');
  assert.is(t.tagStats.reusable, 0);
  answer(2, {});
  answer(1, {});
  await Promise.all([b, c]);
  assert.is(t.tagStats.reusable, 2);
  assert.is(t.outstanding, 0);
});

test('a timeout rejects ETIMEDOUT naming the topic; its late answer is dropped and the tag never reused', async () => {
  const { t, sent, answer } = fake();
  const e = await rejection(t.rpc('svc.slow', {}, { timeoutMs: 5 }));
  assert.is(e.errno, Errno.ETIMEDOUT);
  assert.is(e.message, 'svc.slow: Connection timed out');
  assert.is(t.outstanding, 0);
  assert.is(t.tagStats.retired, 1);
  const next = t.rpc('svc.next', {});
  assert.is.not(sent[1]!.matchtag, sent[0]!.matchtag, 'a retired tag is not handed out again');
  assert.not.ok(answer(sent[0]!.matchtag, { late: true }), 'the late answer finds nobody');
  answer(sent[1]!.matchtag, { ok: 1 });
  assert.equal(await next, { ok: 1 });
});

test('a timeout that does not fire leaves the answer alone', async () => {
  const { t, answer } = fake();
  const p = t.rpc('svc.x', {}, { timeoutMs: 50 });
  answer(1, { fine: true });
  assert.equal(await p, { fine: true });
  await new Promise((r) => setTimeout(r, 70));
});

test('a stream delivers each response in order and ends at ENODATA; its tag is then free', async () => {
  const { t, sent, answer } = fake();
  const got: unknown[] = [];
  const s = t.stream('svc.watch', { k: 1 }, (p) => got.push(p));
  assert.is(sent[0]!.kind, 'stream');
  answer(s.matchtag, 1);
  answer(s.matchtag, 2);
  answer(s.matchtag, undefined, Errno.ENODATA);
  await s;
  assert.equal(got, [1, 2]);
  assert.not.ok(answer(s.matchtag, 3), 'nothing after the end');
  assert.is(t.tagStats.reusable, 1);
});

test('a stream that ends with another error rejects with it (await, done and catch agree)', async () => {
  const { t, answer } = fake();
  const s = t.stream('svc.watch', {}, () => undefined);
  answer(s.matchtag, undefined, Errno.EPROTO, 'svc.watch: bad');
  const e = await rejection(s.done);
  assert.is(e.errno, Errno.EPROTO);
  assert.is((await s.catch((x: FluxError) => x.errno)) as number, Errno.EPROTO);
  assert.is((await rejection(s)).message, 'svc.watch: bad');
});

test('cancel: done resolves at once, responses stop, and <service>.stream-cancel names the matchtag where the stream went', async () => {
  const { t, sent, answer } = fake();
  const got: unknown[] = [];
  const s = t.stream('kvs.watch', {}, (p) => got.push(p), { nodeid: 1 });
  answer(s.matchtag, 'a');
  const acked = s.cancel();
  await s.done;
  const c = sent[1]!;
  assert.equal({ kind: c.kind, topic: c.topic, payload: c.payload, nodeid: c.nodeid }, { kind: 'rpc', topic: 'kvs.stream-cancel', payload: { matchtag: s.matchtag }, nodeid: 1 });
  answer(s.matchtag, 'b');
  assert.equal(got, ['a'], 'a response after cancel is dropped');
  // the server ends the stream, then answers the cancel: both tags come back for reuse
  answer(s.matchtag, undefined, Errno.ENODATA);
  answer(c.matchtag, {});
  await acked;
  assert.is(t.outstanding, 0);
  assert.equal(t.tagStats, { reusable: 2, retired: 0 });
  assert.is(s.cancel(), s.cancel(), 'a second cancel is the first one');
});

test('cancel of a stream whose server has no stream-cancel: the tag is retired once the cancel is answered', async () => {
  const { t, sent, answer } = fake();
  const s = t.stream('sched.alloc', {}, () => undefined);
  const acked = s.cancel();
  answer(sent[1]!.matchtag, undefined, Errno.ENOSYS);
  await acked;
  assert.is(t.outstanding, 0);
  assert.equal(t.tagStats, { reusable: 1, retired: 1 });
  assert.not.ok(answer(s.matchtag, 'late'));
});

test('forget: a stream whose protocol is over resolves, sends nothing, and retires its tag', async () => {
  const { t, sent, answer } = fake();
  const got: unknown[] = [];
  const s = t.stream('sched.alloc', {}, (p) => got.push(p));
  answer(s.matchtag, { type: 'success' });
  s.forget();
  await s;
  assert.is(sent.length, 1);
  assert.is(t.outstanding, 0);
  assert.equal(t.tagStats, { reusable: 0, retired: 1 });
  assert.not.ok(answer(s.matchtag, 'late'));
  assert.equal(got, [{ type: 'success' }]);
});

test('cancel after the stream ended sends nothing', async () => {
  const { t, sent, answer } = fake();
  const s = t.stream('kvs.watch', {}, () => undefined);
  answer(s.matchtag, undefined, Errno.ENODATA);
  await s;
  await s.cancel();
  assert.is(sent.length, 1);
});

test('a stream with timeoutMs fails ETIMEDOUT without a first response, and tells the server', async () => {
  const { t, sent } = fake();
  const s = t.stream('log.dmesg', {}, () => undefined, { timeoutMs: 5 });
  const e = await rejection(s);
  assert.is(e.errno, Errno.ETIMEDOUT);
  assert.is(sent[1]!.topic, 'log.stream-cancel');
});

test('a stream with timeoutMs that got its first response lives on', async () => {
  const { t, sent, answer } = fake();
  const s = t.stream('log.dmesg', {}, () => undefined, { timeoutMs: 10 });
  answer(s.matchtag, 'x');
  await new Promise((r) => setTimeout(r, 30));
  assert.is(sent.length, 1);
  answer(s.matchtag, undefined, Errno.ENODATA);
  await s;
});

test('a callback that throws ends its stream with the error and cancels it', async () => {
  const { t, sent, answer } = fake();
  const s = t.stream('kvs.watch', {}, () => {
    throw new FluxError(Errno.EINVAL, 'bad entry');
  });
  assert.ok(answer(s.matchtag, 1));
  const e = await rejection(s);
  assert.is(e.message, 'bad entry');
  assert.is(sent[1]!.topic, 'kvs.stream-cancel');
});

test('oneway requests carry no matchtag', () => {
  const { t, sent } = fake();
  t.send('svc.note', { x: 1 }, { nodeid: 2 });
  assert.equal(sent, [{ kind: 'oneway', topic: 'svc.note', payload: { x: 1 }, matchtag: 0, nodeid: 2 }]);
  assert.is(t.outstanding, 0);
});

test('a send that throws rejects the call with its error and frees the tag', async () => {
  const t = new RpcTracker(() => {
    throw new FluxError(Errno.ECONNRESET, 'lost connection');
  });
  const e = await rejection(t.rpc('svc.x', {}));
  assert.is(e.errno, Errno.ECONNRESET);
  const se = await rejection(t.stream('svc.y', {}, () => undefined));
  assert.is(se.errno, Errno.ECONNRESET);
  assert.is(t.outstanding, 0);
});

test('failAll rejects every call, streams included', async () => {
  const { t } = fake();
  const a = t.rpc('s.a', {}, { timeoutMs: 1000 });
  const s = t.stream('s.w', {}, () => undefined);
  t.failAll(new FluxError(Errno.ECONNRESET, 'gone'));
  assert.is((await rejection(a)).message, 'gone');
  assert.is((await rejection(s)).message, 'gone');
  assert.is(t.outstanding, 0);
});

test('a response nobody waits for is dropped', () => {
  const { t } = fake();
  assert.not.ok(t.receive({ matchtag: 42, errnum: 0 }));
  assert.not.ok(t.receive({ matchtag: 0, errnum: 0 }));
});

test('TagPool: after the counter wraps, tags in use are skipped; all in use is EAGAIN', () => {
  const held = new Set<number>();
  const pool = new TagPool((t) => held.has(t), 3);
  for (let i = 0; i < 3; i++) held.add(pool.alloc());
  assert.equal([...held], [1, 2, 3]);
  try {
    pool.alloc();
    assert.unreachable('expected EAGAIN');
  } catch (e) {
    assert.is((e as FluxError).errno, Errno.EAGAIN);
  }
  held.delete(2);
  pool.retire(2);
  assert.is(pool.alloc(), 2, 'a retired tag comes back only when the counter wraps to it');
});

test.run();
