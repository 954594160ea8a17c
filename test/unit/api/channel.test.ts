/** The async-iterator hand-over of the client API (cli/api/channel.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Channel } from '../../../cli/api/channel';

test('items pushed before and during iteration come out in order; the loop ends at end()', async () => {
  const ch = new Channel<number>();
  void ch.push(1, 2);
  setImmediate(() => {
    void ch.push(3);
    ch.end();
  });
  const got: number[] = [];
  for await (const n of ch) got.push(n);
  assert.equal(got, [1, 2, 3]);
});

test('a push resolves only once the consumer has taken what was queued', async () => {
  const ch = new Channel<number>();
  let taken = false;
  const p = ch.push(1).then(() => assert.ok(taken, 'push resolved before the item was taken'));
  await new Promise((r) => setImmediate(r));
  taken = true;
  assert.equal(await ch.next(), { value: 1, done: false });
  await p;
});

test('fail() throws in the loop after the queued items', async () => {
  const ch = new Channel<number>();
  void ch.push(1);
  ch.fail(new Error('boom'));
  const got: number[] = [];
  try {
    for await (const n of ch) got.push(n);
    assert.unreachable('the loop should throw');
  } catch (e) {
    assert.is((e as Error).message, 'boom');
  }
  assert.equal(got, [1]);
});

test('breaking out runs onReturn once, and later pushes resolve at once', async () => {
  let cancels = 0;
  const ch = new Channel<number>(() => void cancels++);
  void ch.push(1, 2, 3);
  for await (const n of ch) if (n === 1) break;
  assert.is(cancels, 1);
  assert.ok(ch.closed);
  await ch.push(4);
  assert.equal(await ch.next(), { value: undefined, done: true });
});

test.run();
