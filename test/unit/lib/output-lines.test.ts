import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputLines, type OutputStream } from '../../../lib/output-lines';

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64');

function collect(): { got: Array<[OutputStream, string]>; o: OutputLines } {
  const got: Array<[OutputStream, string]> = [];
  return { got, o: new OutputLines((s, l) => got.push([s, l])) };
}

test('lines across chunks, per stream; the rest at flush', () => {
  const { got, o } = collect();
  o.push('stdout', b64('a\nb'));
  o.push('stderr', b64('e1\n'));
  o.push('stdout', b64('c\nd'));
  assert.equal(got, [['stdout', 'a'], ['stderr', 'e1'], ['stdout', 'bc']]);
  o.flush();
  assert.equal(got.at(-1), ['stdout', 'd']);
});

test('a multibyte character split between chunks stays whole', () => {
  const { got, o } = collect();
  const bytes = Buffer.from('é\n');
  o.push('stdout', b64(bytes.subarray(0, 1)));
  o.push('stdout', b64(bytes.subarray(1)));
  assert.equal(got, [['stdout', 'é']]);
});

test('output without newlines is given out in pieces, not kept growing', () => {
  const { got, o } = collect();
  for (let i = 0; i < 10; i++) o.push('stdout', b64('x'.repeat(1000)));
  assert.equal(got.length, 2);
  assert.ok(got.every(([, l]) => l.length === 4096));
  o.flush();
  assert.is(got.at(-1)![1].length, 10_000 - 2 * 4096);
});

test.run();
