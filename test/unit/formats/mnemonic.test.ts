/** The `words` job id encoding (mnemonicode), against ids whose words Flux prints. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeJobId, parseJobId } from '../../../lib/formats';
import { mnDecodeWords, mnEncodeWords, mnWordsRequired } from '../../../lib/formats/mnemonic';
import { MN_WORDS } from '../../../lib/formats/mnemonic-words';

// flux-core t/t2200-job-cmd.t: the smallest and largest ids (MINJOBID_WORDS, MAXJOBID_WORDS)
const FLUX: Array<[bigint, string]> = [
  [0n, 'academy-academy-academy--academy-academy-academy'],
  [18446744073709551615n, 'natural-analyze-verbal--natural-analyze-verbal'],
];

test('the word list: 1626 words and 7 three-letter ones, all distinct', () => {
  assert.is(MN_WORDS.length, 1633);
  assert.is(new Set(MN_WORDS).size, 1633);
  assert.equal(MN_WORDS.slice(1626), ['ego', 'fax', 'jet', 'job', 'rio', 'ski', 'yes']);
  assert.ok(MN_WORDS.every((w) => /^[a-z]{3,7}$/.test(w)));
});

test('ids Flux prints as words: encoded and parsed back', () => {
  for (const [id, words] of FLUX) {
    assert.is(encodeJobId(id, 'words'), words);
    assert.is(parseJobId(words), id);
  }
});

test('formats.md examples', () => {
  assert.is(encodeJobId(6731191091817518n, 'words'), 'reform-remote-galileo--heart-package-academy');
  assert.is(encodeJobId(16777216000n, 'words'), 'crown-guru-owner--actor-academy-academy');
});

test('round trips, case and separators do not matter', () => {
  for (const id of [1n, 42n, 255n, 65536n, 6731191091817518n, (1n << 63n) + 12345n]) {
    const w = encodeJobId(id, 'words');
    assert.match(w, /^[a-z]+-[a-z]+-[a-z]+--[a-z]+-[a-z]+-[a-z]+$/);
    assert.is(parseJobId(w), id);
    assert.is(parseJobId(w.toUpperCase()), id);
  }
  assert.equal(mnDecodeWords('  Academy academy-academy--academy/academy.academy'), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('short inputs: 1, 2 and 3 bytes use 1, 2 and 3 words (the third of 3 bytes an extra word)', () => {
  assert.is(mnWordsRequired(1), 1);
  assert.is(mnWordsRequired(3), 3);
  assert.is(mnWordsRequired(8), 6);
  assert.is(mnEncodeWords([0xff]), MN_WORDS[255]!);
  const three = mnEncodeWords([1, 2, 3]);
  assert.ok(['ego', 'fax', 'jet', 'job', 'rio', 'ski', 'yes'].includes(three.split('-')[2]!));
  assert.equal(mnDecodeWords(three, 3), [1, 2, 3]);
});

test('bad words: unknown, too few, too many, out of place, too large', () => {
  for (const s of [
    'bad-words',
    'academy-academy-academy--academy-academy',
    'academy-academy-academy--academy-academy-academy-academy',
    'academy-academy-yes--academy-academy-academy',
    'yes-academy-academy--academy-academy-academy',
    'academy-academy-yes',
    // the third word of a group: amen (1625) would need more than 32 bits
    'academy-academy-amen--academy-academy-academy',
  ]) {
    assert.is(mnDecodeWords(s), undefined, s);
  }
  assert.throws(() => parseJobId('bad-words'), /not a valid mnemonic/);
});

test.run();
