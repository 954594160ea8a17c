/** cli/start/forward-policy.ts: which brokers a signal to flux start --test-size goes to */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { forwardTargets } from '../../../cli/start/forward-policy';

test('the first signal once up goes to rank 0 alone', () => {
  assert.equal(forwardTargets([0, 1, 2, 3], { starting: false, count: 1 }), [0]);
});

test('a second one goes to every live broker', () => {
  assert.equal(forwardTargets([0, 1, 2, 3], { starting: false, count: 2 }), [0, 1, 2, 3]);
});

test('while starting, or with rank 0 gone, every live broker gets it', () => {
  assert.equal(forwardTargets([0, 1], { starting: true, count: 1 }), [0, 1]);
  assert.equal(forwardTargets([2, 3], { starting: false, count: 1 }), [2, 3]);
});

test.run();
