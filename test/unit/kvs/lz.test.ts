/** The LZ77 coder of packed directories (modules/kvs/lz.ts): round trips and damaged input. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LzDict, compress, decompress } from '../../../modules/kvs/lz';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('round trips: empty, no dictionary, overlapping repeats, random bytes, against a dictionary', () => {
  const none = new LzDict(new Uint8Array(0));
  let seed = 7;
  const random = Buffer.alloc(5000);
  for (let i = 0; i < random.length; i++) random[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const cases = [Buffer.alloc(0), bytes('abc'), bytes('a'.repeat(10_000)), bytes('abcabcabcabd'.repeat(300)), random, bytes('ünïcødé ✓ '.repeat(50))];
  for (const c of cases) {
    const z = compress(c, none);
    assert.ok(Buffer.from(decompress(z, none.bytes)).equals(c), `${c.length} bytes`);
  }
  const dict = new LzDict(bytes('{"timestamp":1796297354.383897,"name":"submit","context":{"userid":0}}\n'.repeat(3)));
  const src = bytes('{"timestamp":1796297360.123456,"name":"submit","context":{"userid":0}}\n');
  const z = compress(src, dict);
  assert.ok(z.length < src.length / 3, `${z.length} of ${src.length}`);
  assert.ok(Buffer.from(decompress(z, dict.bytes)).equals(src));
  // the scratch space is reused: a second call does not disturb the first's string
  const z2 = compress(bytes('other'), dict);
  assert.ok(Buffer.from(decompress(z, dict.bytes)).equals(src));
  assert.is(decompress(z2, dict.bytes).toString(), 'other');
});

test('damaged input is an error, not a wrong answer', () => {
  const dict = new LzDict(bytes('hello world'));
  const z = compress(bytes('hello world, hello world'), dict);
  assert.throws(() => decompress(z.slice(0, -1), dict.bytes), /truncated/);
  assert.throws(() => decompress(z + '\u0000', dict.bytes), /trailing/);
  // a distance past the dictionary
  assert.throws(() => decompress('\u0000\u0004\u007f', new Uint8Array(0)), /bad distance/);
});

test.run();
