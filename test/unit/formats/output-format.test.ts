/** Flux output formats: widths, ?: and +: prefixes, truncation, headers, unknown fields. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputFormat, PyFloat, formatValue, pyFloatRepr } from '../../../lib/formats';

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

test('a PyFloat prints as Python prints a float; h and ?: count 0.0 as empty', () => {
  assert.equal(
    [30, 0, -0, 145, 0.5, 1795501760.0205107, 1e-4, 1e-5, 1.5e-7, 1e15, 1e16, 1.25e22, Infinity, NaN].map(pyFloatRepr),
    ['30.0', '0.0', '-0.0', '145.0', '0.5', '1795501760.0205107', '0.0001', '1e-05', '1.5e-07', '1000000000000000.0', '1e+16', '1.25e+22', 'inf', 'nan'],
  );
  assert.is(formatValue(new PyFloat(30), '>6'), '  30.0');
  assert.is(formatValue(new PyFloat(30), '.2f'), '30.00');
  assert.is(formatValue(new PyFloat(0), '>4h'), '   -');
  assert.is(formatValue(0, '>4h'), '   0');
  const f = new OutputFormat('{state} ?:{nnodes}|', H);
  assert.equal(f.render([{ state: 'a', nnodes: new PyFloat(0) }], true), ['a|']);
  assert.equal(f.render([{ state: 'a', nnodes: 0 }], true), ['a 0|']);
});

test('unknown field', () => {
  assert.throws(() => new OutputFormat('{bogus}', H), /^Unknown format field: bogus$/);
});

test.run();
