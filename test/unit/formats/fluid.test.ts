/** RFC 19 job ids: encodings, parsing any form, the generator. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FluidGenerator,
  encodeDothex,
  encodeF58,
  encodeF58Plain,
  encodeHex,
  encodeKvs,
  encodeJobId,
  fluidFields,
  fluidOf,
  parseJobId,
} from '../../../lib/formats';

const UTF8 = { LANG: 'C.UTF-8' };

test('encodings of 6731191091817518', () => {
  const id = 6731191091817518n;
  assert.is(encodeF58(id, UTF8), 'ƒuZZybuNNy');
  assert.is(encodeF58(id, { LANG: 'C' }), 'fuZZybuNNy');
  assert.is(encodeF58(id, { ...UTF8, FLUX_F58_FORCE_ASCII: '1' }), 'fuZZybuNNy');
  assert.is(encodeF58Plain(id), 'fuZZybuNNy');
  assert.is(encodeHex(id), '0x17e9fb8df16c2e');
  assert.is(encodeDothex(id), '0017.e9fb.8df1.6c2e');
  assert.is(encodeKvs(id), 'job.0017.e9fb.8df1.6c2e');
  assert.is(encodeJobId(id, 'dec'), '6731191091817518');
});

test('small known values', () => {
  assert.is(encodeF58(0n, UTF8), 'ƒ1');
  assert.is(encodeF58(1, UTF8), 'ƒ2');
  assert.is(encodeF58(42, UTF8), 'ƒj');
  assert.is(encodeF58(57, UTF8), 'ƒz');
  assert.is(encodeF58(58, UTF8), 'ƒ21');
  assert.is(encodeF58(16777216000n, UTF8), 'ƒSZYcoq');
  assert.is(encodeDothex(16777216000n), '0000.0003.e800.0000');
  assert.is(encodeDothex(0), '0000.0000.0000.0000');
});

test('parse any form', () => {
  const id = 6731191091817518n;
  for (const s of ['ƒuZZybuNNy', 'fuZZybuNNy', '6731191091817518', '0x17e9fb8df16c2e', '0017.e9fb.8df1.6c2e', 'job.0017.e9fb.8df1.6c2e']) {
    assert.is(parseJobId(s), id, s);
  }
  assert.is(parseJobId(' 42 '), 42n);
  assert.is(parseJobId('00'), 0n);
});

test('parse errors are clear', () => {
  assert.throws(() => parseJobId('-1'), /invalid job id '-1'/);
  assert.throws(() => parseJobId('18446744073709551616'), /out of range/);
  assert.throws(() => parseJobId('0x'), /invalid job id/);
  assert.throws(() => parseJobId('f0'), /'0' is not an f58 digit/);
  assert.throws(() => parseJobId('f1234567890123'), /1 to 12 digits/);
  assert.throws(() => parseJobId('0000.0000'), /dothex/);
  assert.throws(() => parseJobId('bogus'), /invalid job id 'bogus'/);
});

test('round trips', () => {
  for (const id of [0n, 1n, 57n, 58n, 16777216000n, 6731191091817518n, (1n << 64n) - 1n >> 0n & ((1n << 64n) - 1n) >> 1n]) {
    const safe = id >> 24n >= 1n << 40n ? id >> 24n : id;
    for (const enc of ['dec', 'f58', 'f58plain', 'hex', 'dothex', 'kvs'] as const) {
      assert.is(parseJobId(encodeJobId(safe, enc, UTF8)), safe, `${safe} ${enc}`);
    }
  }
});

test('fields and generator', () => {
  assert.is(fluidOf(1000, 0, 0), 16777216000n);
  assert.equal(fluidFields(fluidOf(5, 3, 7)), { ts: 5, gen: 3, seq: 7 });
  let t = 0;
  const g = new FluidGenerator(2, 100, () => t);
  const a = g.next();
  const b = g.next();
  assert.equal(fluidFields(a), { ts: 100, gen: 2, seq: 0 });
  assert.equal(fluidFields(b), { ts: 100, gen: 2, seq: 1 });
  t = 5;
  assert.equal(fluidFields(g.next()), { ts: 105, gen: 2, seq: 0 });
  assert.ok(g.next() > b);
  assert.throws(() => new FluidGenerator(16384), /out of range/);
});

test.run();
