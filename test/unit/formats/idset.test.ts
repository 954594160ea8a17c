/** RFC 22 idset encode/decode against flux-core's computed examples. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { idset } from '../../../lib/formats';

test('decodes ranges, brackets, empty elements', () => {
  assert.equal(idset.decode('1,2,3,5'), [1, 2, 3, 5]);
  assert.equal(idset.decode('[0-3]'), [0, 1, 2, 3]);
  assert.equal(idset.decode('0-2,4-6'), [0, 1, 2, 4, 5, 6]);
  assert.equal(idset.decode('1,,2'), [1, 2]);
  assert.equal(idset.decode(''), []);
  assert.equal(idset.decode('[]'), []);
});

test('decode errors as libidset', () => {
  assert.throws(() => idset.decode('3,1'), /range '1' is out of order/);
  assert.throws(() => idset.decode('1-3,2'), /out of order/);
  assert.throws(() => idset.decode('5-3'), /error parsing range '5-3'/);
  assert.throws(() => idset.decode('01'), /error parsing range/);
  assert.throws(() => idset.decode(' 1'), /error parsing range/);
  assert.throws(() => idset.decode('[1-3'), /mismatched or nested brackets/);
  assert.throws(() => idset.decode('a'), /error parsing range/);
});

test('encodes with range and bracket flags', () => {
  assert.is(idset.encode([1, 2, 3, 5], { range: false }), '1,2,3,5');
  assert.is(idset.encode([1, 2, 3, 5]), '1-3,5');
  assert.is(idset.encode([5, 3, 2, 1, 2], { brackets: true }), '[1-3,5]');
  assert.is(idset.encode([7], { brackets: true }), '7');
  assert.is(idset.encode([]), '');
});

test('round trips', () => {
  for (const s of ['0', '0-2', '0-2,5,7-9', '100-1000']) assert.is(idset.encode(idset.decode(s)), s);
  assert.equal(idset.ranges([0, 1, 2, 5]), [
    [0, 2],
    [5, 5],
  ]);
});

test.run();
