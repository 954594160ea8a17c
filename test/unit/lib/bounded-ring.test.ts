import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BoundedRing, sendInPieces, truncateUtf8 } from '../../../lib/bounded-ring';

test('the oldest leave first, by count and by bytes; a lowered bound trims', () => {
  const r = new BoundedRing<string>((s) => s.length, 3, 10);
  for (const s of ['aaaa', 'bb', 'c', 'd']) r.push(s);
  assert.equal([r.all(), r.bytes], [['bb', 'c', 'd'], 4]);
  r.push('eeeeeeee');
  assert.equal([r.all(), r.bytes], [['c', 'd', 'eeeeeeee'], 10]);
  r.push('ff');
  assert.equal([r.all(), r.bytes], [['eeeeeeee', 'ff'], 10]);
  r.maxCount = 1;
  r.trim();
  assert.equal(r.all(), ['ff']);
  r.clear();
  assert.equal([r.length, r.bytes], [0, 0]);
});

test('truncateUtf8 cuts on a character boundary and marks the cut', () => {
  assert.is(truncateUtf8('hello', 5), 'hello');
  assert.is(truncateUtf8('hello world', 6), 'hello+');
  assert.is(truncateUtf8('ééé', 4), 'é+');
});

test('sendInPieces sends everything, yielding between pieces, and stops when told', async () => {
  const got: number[] = [];
  await sendInPieces([1, 2, 3, 4, 5], () => 2, (n) => got.push(n), 4);
  assert.equal(got, [1, 2, 3, 4, 5]);
  const some: number[] = [];
  await sendInPieces([1, 2, 3, 4, 5], () => 2, (n) => some.push(n), 4, () => some.length >= 2);
  assert.equal(some, [1, 2]);
});

test.run();
