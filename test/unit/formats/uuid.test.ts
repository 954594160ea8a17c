/**
 * lib/uuid.ts: version 4 UUIDs from /dev/urandom, in node:crypto's form.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from '../../../lib/uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('randomUUID: version 4, variant 10, lower-case hex in 8-4-4-4-12', () => {
  for (let i = 0; i < 1000; i++) assert.match(randomUUID(), V4);
});

test('randomUUID: no repeats across several refills of the pool (256 a refill)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(randomUUID());
  assert.is(seen.size, 2000);
});

test('randomUUID: every hex digit outside the fixed ones turns up (the bytes are used, not zeros)', () => {
  const digits = new Set<string>();
  for (let i = 0; i < 64; i++) for (const c of randomUUID().replace(/-/g, '')) digits.add(c);
  assert.is(digits.size, 16);
});

test.run();
