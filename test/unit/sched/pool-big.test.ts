/**
 * The Pool built for big clusters: clones are copy-on-write (a change to one
 * never shows in another), a shape that did not fit is remembered only until
 * resources come back, the counts follow down ranks, and the summary read off
 * R_lite is rlistSummary's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rlistSummary, rv1Expand } from '../../../kernel/api';
import { parseJobspec } from '../../../modules/sched/jobspec';
import { allocSummary } from '../../../modules/sched/summary';
import { jobspec, pool, ranksOf } from './helpers';

const req = (o: Parameters<typeof jobspec>[0]) => parseJobspec(jobspec(o));

test('clones are independent both ways (copy on write)', () => {
  const a = pool(4, 4);
  const b = a.clone();
  const c = a.clone();
  const R = b.match(req({ N: 2 }))!;
  b.take(R);
  assert.equal(ranksOf(a.match(req({ N: 4 }))!), [0, 1, 2, 3], 'the original still has every node');
  assert.is(b.match(req({ N: 3 })), undefined);
  a.take(a.match(req({ N: 1 }))!);
  assert.equal(ranksOf(c.match(req({ N: 4 }))!), [0, 1, 2, 3], 'a later clone of the same arrays is untouched');
  assert.is(a.allocated().length, 1);
  assert.is(b.allocated().length, 2);
  assert.is(c.allocated().length, 0);
});

test('a shape that did not fit fits again once resources are given back', () => {
  const p = pool(2, 4);
  const R = p.match(req({ n: 6 }))!;
  p.take(R);
  assert.is(p.match(req({ n: 3 })), undefined);
  assert.is(p.match(req({ n: 3 })), undefined, 'remembered');
  p.give(R);
  assert.equal(ranksOf(p.match(req({ n: 3 }))!), [0]);
  // a non-exclusive node request counts free cores per node
  p.take(p.match(req({ n: 3 }))!);
  assert.equal(ranksOf(p.match(req({ N: 2, n: 2 }))!), [0, 1]);
  assert.is(p.match(req({ N: 2, n: 4, c: 1 })), undefined);
});

test('down ranks leave the counts; high order; exclusive needs whole nodes', () => {
  const p = pool(4, 2, 0, [0, 3]);
  assert.equal(ranksOf(p.match(req({ N: 2 }))!), [1, 2]);
  assert.is(p.match(req({ N: 3 })), undefined);
  p.setDown([]);
  assert.equal(ranksOf(p.match(req({ N: 1 }), 'high')!), [3]);
  p.take(p.match(req({ n: 1 }))!);
  assert.equal(ranksOf(p.match(req({ N: 3 }))!), [1, 2, 3]);
  assert.is(p.match(req({ N: 4 })), undefined);
});

test('allocSummary is rlistSummary of the expanded R', () => {
  const p = pool(8, 4, 2);
  for (const o of [{ N: 3 }, { n: 5 }, { n: 2, c: 2, g: 1 }, { N: 2, n: 2 }]) {
    const R = p.match(req(o))!;
    p.take(R);
    assert.is(allocSummary(R), rlistSummary(rv1Expand(R)), JSON.stringify(o));
  }
});

test.run();
