/** When the kvs answers a change: on disk by default, queued with {durable: false} (ADR 0013). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { answerWhen, durableField } from '../../../modules/kvs/answer';

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

test('durable: absent is true, a boolean is itself, anything else is one EPROTO line naming it', () => {
  assert.is(durableField('kvs.put', { key: 'a' }), true);
  assert.is(durableField('kvs.put', undefined), true);
  assert.is(durableField('kvs.put', { durable: false }), false);
  assert.is(durableField('kvs.put', { durable: true }), true);
  assert.throws(() => durableField('kvs.eventlog-append', { durable: 'no' }), /^kvs\.eventlog-append: malformed request: durable must be a boolean$/);
});

test.run();
