/** longTimeout: fires after short delays, never early after long ones (beyond setTimeout's 2^31-1 ms). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_TIMER_MS, longTimeout } from '../../../lib/long-timer';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a short timer fires once, asynchronously', async () => {
  let n = 0;
  longTimeout(() => n++, 0);
  assert.is(n, 0);
  await tick(20);
  assert.is(n, 1);
});

test('a delay beyond 2^31-1 ms does not fire at once (setTimeout would, after 1 ms)', async () => {
  let fired = false;
  const t = longTimeout(() => (fired = true), MAX_TIMER_MS + 1000);
  await tick(50);
  assert.is(fired, false);
  t.clear();
});

test('Infinity never fires and clear() stops a timer', async () => {
  let fired = 0;
  longTimeout(() => fired++, Infinity).unref();
  longTimeout(() => fired++, 5).clear();
  await tick(30);
  assert.is(fired, 0);
});

test.run();
