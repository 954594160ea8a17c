/** TBON shapes (broker.md §3): kary, binomial, mincrit, routing down, derived attributes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTopology, TopologyError } from '../../../lib/tree-topology';

test('kary:32 at size 3: 1 and 2 are children of 0', () => {
  const t = makeTopology('kary:32', 3);
  assert.equal(t.children(0), [1, 2]);
  assert.is(t.parentOf(0), undefined);
  assert.is(t.parentOf(2), 0);
  assert.is(t.maxLevel(), 1);
  assert.equal(t.criticalRanks(), [0]);
});

test('kary:2 at size 7: levels, descendants, next hop', () => {
  const t = makeTopology('kary:2', 7);
  assert.equal(t.children(1), [3, 4]);
  assert.equal(t.children(2), [5, 6]);
  assert.is(t.maxLevel(), 2);
  assert.is(t.level(6), 2);
  assert.is(t.descendants(0), 6);
  assert.is(t.descendants(2), 2);
  assert.is(t.childToward(0, 6), 2);
  assert.is(t.childToward(2, 6), 6);
  assert.is(t.childToward(1, 6), undefined);
  assert.equal(t.subtree(2), [5, 6]);
  assert.equal(t.criticalRanks(), [0, 1, 2]);
});

test('kary:1 is a chain, kary:0 is flat', () => {
  assert.equal([...makeTopology('kary:1', 4).parent], [-1, 0, 1, 2]);
  assert.equal([...makeTopology('kary:0', 4).parent], [-1, 0, 0, 0]);
});

test('binomial of 8', () => {
  const t = makeTopology('binomial', 8);
  assert.equal(t.children(0), [1, 2, 4]);
  assert.equal(t.children(4), [5, 6]);
  assert.equal(t.children(6), [7]);
});

test('mincrit:2 spreads leaves over the routers', () => {
  const t = makeTopology('mincrit:2', 7);
  assert.equal(t.children(0), [1, 2]);
  assert.equal(t.children(1), [3, 5]);
  assert.equal(t.children(2), [4, 6]);
});

test('unknown scheme and bad arguments are errors', () => {
  assert.throws(() => makeTopology('bogus', 3), (e: Error) => e instanceof TopologyError && e.message === "unknown topology scheme 'bogus'");
  assert.throws(() => makeTopology('kary:x', 3), (e: Error) => e instanceof TopologyError);
  assert.throws(() => makeTopology('kary', 3), (e: Error) => e instanceof TopologyError);
});

test.run();
