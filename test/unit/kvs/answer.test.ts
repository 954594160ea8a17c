/** When the kvs answers a change: on disk by default, queued with {durable: false} (ADR 0013). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { answerWhen } from '../../../modules/kvs/answer';
import { checkRequest, compileProtocol } from '../../../lib/protocol/avro';
import { kvsProtocol } from '../../../lib/protocol/kvs';

/** a write that is still in flight, settled by hand */
function pending(): { write: Promise<void>; done: () => void; fail: (e: Error) => void } {
  let done!: () => void;
  let fail!: (e: Error) => void;
  const write = new Promise<void>((res, rej) => {
    done = res;
    fail = rej;
  });
  return { write, done, fail };
}

/** the commit, then the sync (here: nothing more) */
const onDisk = (commit: Promise<void>): Promise<void> => commit;

const settled = async (p: unknown): Promise<string> => {
  if (!(p instanceof Promise)) return 'answered';
  const r = await Promise.race([p.then(() => 'answered', (e: Error) => `error: ${e.message}`), new Promise((r) => setTimeout(() => r('waiting'), 20))]);
  return r as string;
};

test('a durable change is answered only once its write is on disk', async () => {
  const w = pending();
  const a = answerWhen(w.write, false, false, onDisk);
  assert.is(await settled(a), 'waiting');
  w.done();
  assert.is(await settled(a), 'answered');
});

test('a queued change ({durable: false}) is answered while its write is in flight', async () => {
  const w = pending();
  assert.is(await settled(answerWhen(w.write, true, false, onDisk)), 'answered');
  // its later failure is not an unhandled rejection (the store logs its state once)
  w.fail(new Error('store X: No space left on device'));
  await new Promise((r) => setTimeout(r, 5));
});

test('while the store is failing, a queued change gets the write\'s error', async () => {
  const w = pending();
  const a = answerWhen(w.write, true, true, onDisk);
  w.fail(new Error('store X: No space left on device'));
  assert.is(await settled(a), 'error: store X: No space left on device');
});

test('durable: absent, null or a boolean passes the protocol; anything else is one line naming it', () => {
  const kvs = compileProtocol(kvsProtocol);
  const m = (name: string) => kvs.methods.get(name)!;
  assert.is(checkRequest(m('put'), { key: 'a', value: 1 }).ok, true);
  assert.is(checkRequest(m('put'), { key: 'a', value: 1, durable: false }).ok, true);
  assert.is(checkRequest(m('eventlog-close'), { key: 'a', durable: true }).ok, true);
  const bad = checkRequest(m('eventlog-append'), { key: 'a', entries: [], durable: 'no' });
  assert.equal(bad, { ok: false, why: 'durable: expected null or boolean, got "no"' });
});

test.run();
