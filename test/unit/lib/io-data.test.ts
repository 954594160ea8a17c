/** RFC 24 data encoding (lib/io-data.ts): text stays text, anything else is base64, bytes never change. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Utf8Chunker, dataBytes, decodeData, encodeData, incompleteTail, labelLines, splitLines } from '../../../lib/io-data';
import { OutputLimit } from '../../../modules/job-exec/output-limit';

const bin = Buffer.from([0xff, 0xfe, 0x00, 0x61, 0x0a, 0x80]);

test('encodeData: UTF-8 as text, the rest as base64; decodeData gives the bytes back', () => {
  assert.equal(encodeData(Buffer.from('héllo\n')), { data: 'héllo\n' });
  const e = encodeData(bin);
  assert.is(e.encoding, 'base64');
  assert.ok(Buffer.isBuffer(decodeData(e)) && (decodeData(e) as Buffer).equals(bin));
  assert.is(decodeData({ data: 'x' }), 'x');
  assert.is(decodeData({}), undefined);
  assert.is(dataBytes(e), bin.length);
  assert.is(dataBytes({ data: 'é' }), 2);
  assert.throws(() => decodeData({ data: 'x', encoding: 'rot13' }), /unknown data encoding "rot13"/);
});

test('incompleteTail: only a character not finished yet', () => {
  const e = Buffer.from('aé€𝄞');
  assert.is(incompleteTail(e), 0);
  assert.is(incompleteTail(e.subarray(0, e.length - 1)), 3);
  assert.is(incompleteTail(e.subarray(0, e.length - 3)), 1);
  assert.is(incompleteTail(Buffer.from('aé').subarray(0, 2)), 1);
  assert.is(incompleteTail(Buffer.from([0x61, 0xff])), 0);
  assert.is(incompleteTail(Buffer.from([0x80, 0x80])), 0);
});

test('Utf8Chunker: a character split between chunks goes whole with the second', () => {
  const all = Buffer.from('é'.repeat(10) + '€𝄞');
  const c = new Utf8Chunker();
  const got: Buffer[] = [];
  for (let i = 0; i < all.length; i += 3) {
    const piece = Buffer.from(c.write(all.subarray(i, i + 3)));
    assert.ok(piece.length === 0 || encodeData(piece).encoding === undefined, `piece ${i} is not text`);
    got.push(piece);
  }
  got.push(c.end());
  assert.ok(Buffer.concat(got).equals(all));
  const b = new Utf8Chunker();
  assert.ok(Buffer.concat([b.write(Buffer.from([0x61, 0xc3])), b.end()]).equals(Buffer.from([0x61, 0xc3])));
});

test('splitLines and labelLines work on bytes', () => {
  assert.equal(splitLines('a\nb'), ['a\n', 'b']);
  assert.equal(splitLines(bin).map((l) => [...l]), [[0xff, 0xfe, 0x00, 0x61, 0x0a], [0x80]]);
  assert.is(labelLines('a\nb\n', '0: '), '0: a\n0: b\n');
  const l = labelLines(bin, '1: ') as Buffer;
  assert.ok(l.equals(Buffer.concat([Buffer.from('1: '), bin.subarray(0, 5), Buffer.from('1: '), bin.subarray(5)])));
});

test('OutputLimit.admit cuts bytes exactly (a cut character: the bytes)', () => {
  const l = new OutputLimit(5, '5', () => undefined);
  assert.is(l.admit('stdout', 'abc'), 'abc');
  const cut = l.admit('stdout', 'aéé');
  assert.ok(Buffer.isBuffer(cut) && cut.equals(Buffer.from('aéé').subarray(0, 2)));
  const t = new OutputLimit(3, '3', () => undefined);
  assert.is(t.admit('stdout', 'aéé'), 'aé');
  const m = new OutputLimit(3, '3', () => undefined);
  assert.ok((m.admit('stdout', bin) as Buffer).equals(bin.subarray(0, 3)));
});

test.run();
