/** --since's phrases (lib/formats/when.ts), in local time, against a fixed now. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseWhen } from '../../../lib/formats/when';

// Wednesday 2026-12-02 15:30:00 local time
const NOW = new Date(2026, 11, 2, 15, 30, 0).getTime() / 1000;
const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime() / 1000;

test('offsets, keywords and N units ago', () => {
  assert.is(parseWhen('-1d', NOW), NOW - 86400);
  assert.is(parseWhen('+1h', NOW), NOW + 3600);
  assert.is(parseWhen('now', NOW), NOW);
  assert.is(parseWhen('today', NOW), at(2026, 12, 2));
  assert.is(parseWhen('Yesterday', NOW), at(2026, 12, 1));
  assert.is(parseWhen('tomorrow', NOW), at(2026, 12, 3));
  assert.is(parseWhen('an hour ago', NOW), NOW - 3600);
  assert.is(parseWhen('3 days ago', NOW), NOW - 3 * 86400);
  assert.is(parseWhen('90 minutes ago', NOW), NOW - 5400);
  assert.is(parseWhen('last week', NOW), NOW - 7 * 86400);
  assert.is(parseWhen('last month', NOW), at(2026, 11, 2, 15, 30));
});

test('weekdays are the latest one before today', () => {
  assert.is(parseWhen('last monday', NOW), at(2026, 11, 30));
  assert.is(parseWhen('monday', NOW), at(2026, 11, 30));
  assert.is(parseWhen('wed', NOW), at(2026, 11, 25));
  assert.is(parseWhen('last thursday', NOW), at(2026, 11, 26));
});

test('times of day, alone or after a day or a date', () => {
  assert.is(parseWhen('6am', NOW), at(2026, 12, 2, 6));
  assert.is(parseWhen('6:30 pm', NOW), at(2026, 12, 2, 18, 30));
  assert.is(parseWhen('12am', NOW), at(2026, 12, 2, 0));
  assert.is(parseWhen('noon', NOW), at(2026, 12, 2, 12));
  assert.is(parseWhen('18:05', NOW), at(2026, 12, 2, 18, 5));
  assert.is(parseWhen('yesterday 6pm', NOW), at(2026, 12, 1, 18));
  assert.is(parseWhen('last monday noon', NOW), at(2026, 11, 30, 12));
  assert.is(parseWhen('2021-06-21 6am', NOW), at(2021, 6, 21, 6));
  assert.is(parseWhen('2021-06-21', NOW), at(2021, 6, 21));
  assert.is(parseWhen('Jun 21 2021 06:00', NOW), at(2021, 6, 21, 6));
});

test('epoch numbers and ISO dates; junk is undefined', () => {
  assert.is(parseWhen('1700000000.5', NOW), 1700000000.5);
  assert.is(parseWhen('2026-06-21T00:00:00Z', NOW), Date.parse('2026-06-21T00:00:00Z') / 1000);
  for (const bad of ['someday', '', '-6x', '13pm', '25:00', '6:61', 'last', '5']) assert.is(parseWhen(bad, NOW), undefined, bad);
});

test.run();
