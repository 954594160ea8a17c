/** Flux output formats: widths, ?: and +: prefixes, truncation, headers, unknown fields. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputFormat, formatValue } from '../../../lib/formats';

const H = { state: 'STATE', nnodes: 'NNODES', queue: 'QUEUE', ngpus: 'NGPUS', nodelist: 'NODELIST', reason: 'REASON' };

test('python format specs', () => {
  assert.is(formatValue(3, '>6'), '     3');
  assert.is(formatValue('ab', '<4'), 'ab  ');
  assert.is(formatValue('ab', '^6'), '  ab  ');
  assert.is(formatValue('verylongname', '<10.10+'), 'verylongn+');
  assert.is(formatValue('', 'h'), '-');
  assert.is(formatValue(7, ''), '7');
  assert.is(formatValue(1.5, '.2f'), '1.50');
});

test('header keeps only alignment and width; ?: drops empty columns; numbers are not empty', () => {
  const f = new OutputFormat('{state:>10} ?+:{queue:<5} {nnodes:>6} ?+:{ngpus:>5} {nodelist}', H);
  const rows = [
    { state: 'free', queue: '', nnodes: 3, ngpus: 0, nodelist: 'vm,vm,vm' },
    { state: 'allocated', queue: '', nnodes: 0, ngpus: 0, nodelist: '' },
  ];
  assert.equal(f.render(rows), ['     STATE NNODES NGPUS NODELIST', '      free      3     0 vm,vm,vm', ' allocated      0     0 ']);
  assert.equal(f.render(rows, true).length, 2);
});

test('+: widens to the longest value', () => {
  const f = new OutputFormat('+:{reason:<3}|', H);
  assert.equal(f.render([{ reason: 'abcdef' }, { reason: 'x' }]), ['REASON|', 'abcdef|', 'x     |']);
});

test('unknown field', () => {
  assert.throws(() => new OutputFormat('{bogus}', H), /^Unknown format field: bogus$/);
});

test.run();
