/** RFC 23 FSD parse and the C / Python formatters. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fsd } from '../../../lib/formats';

test('parse test vectors', () => {
  const v: Array<[string, number]> = [
    ['2ms', 0.002],
    ['0.1s', 0.1],
    ['30', 30],
    ['1.2h', 4320],
    ['5m', 300],
    ['1.5m', 90],
    ['2h', 7200],
    ['0s', 0],
    ['5d', 432000],
  ];
  for (const [s, n] of v) assert.ok(Math.abs(fsd.parse(s) - n) < 1e-9, s);
  for (const s of ['inf', 'INF', 'infinity', 'Infinity']) assert.is(fsd.parse(s), Infinity);
});

test('parse errors', () => {
  for (const s of ['', '-1', 'nan', '5 s', '1x', 'infs', 'bogus', 's']) {
    assert.throws(() => fsd.parse(s), /invalid Flux standard duration/, s);
  }
});

test('C formatter, precision 2 and 6', () => {
  const rows: Array<[number, string, string]> = [
    [0.05, '50ms', '50ms'],
    [1.25, '1.2s', '1.25s'],
    [9.99, '10s', '9.99s'],
    [45.3, '45s', '45.3s'],
    [59.9, '60s', '59.9s'],
    [78, '1.3m', '1.3m'],
    [123, '2m', '2.05m'],
    [3599, '60m', '59.9833m'],
    [5400, '1.5h', '1.5h'],
    [86399, '24h', '23.9997h'],
    [129600, '1.5d', '1.5d'],
    [1080000, '12d', '12.5d'],
    // never an exponent (C's %g, and so Flux, print 1e+02ms and 1e+02d)
    [0.0997, '0.1s', '99.7ms'],
    [0.09949, '99ms', '99.49ms'],
    [8640000, '100d', '100d'],
    [86400 * 1234.4, '1234d', '1234.4d'],
  ];
  for (const [d, p2, p6] of rows) {
    assert.is(fsd.formatC(d, 2), p2, `${d} p2`);
    assert.is(fsd.formatC(d, 6), p6, `${d} p6`);
  }
  assert.is(fsd.formatC(0), '0s');
  assert.is(fsd.formatC(Infinity), 'infinity');
});

test('Python formatter', () => {
  assert.is(fsd.formatPy(1.2514), '1.251s');
  assert.is(fsd.formatPy(0.063), '0.063s');
  assert.is(fsd.formatPy(10.684), '10.68s');
  assert.is(fsd.formatPy(189.3), '3.155m');
  assert.is(fsd.formatPy(0.0001), '0s');
  assert.is(fsd.formatPy(Infinity), 'inf');
});

test.run();
