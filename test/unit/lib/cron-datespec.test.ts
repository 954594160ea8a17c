/**
 * lib/cron/datespec: crontab fields (ranges, steps, lists, names, Flux's
 * 0-11 months), their errors, and the next matching second in local time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSpec, nextWakeup, parseField, parseSpec, splitCrontabLine } from '../../../lib/cron/datespec';

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo, d, h, mi, s).getTime() / 1000;

test('fields: *, N, A-B, /STEP, lists, names (prefixes of English names, any case)', () => {
  assert.equal(parseField('minute', '*/15'), [0, 15, 30, 45]);
  assert.equal(parseField('hour', '1-3,7,10-20/5'), [1, 2, 3, 7, 10, 15, 20]);
  assert.equal(parseField('month', 'Dec'), [11]);
  assert.equal(parseField('month', 'jan-MAR'), [0, 1, 2]);
  assert.equal(parseField('weekday', 'mon'), [1]);
  assert.equal(parseField('weekday', 'Sun'), [0]);
  assert.equal(encodeSpec(parseSpec({ minute: '0-5,30' })).minute, '0-5,30');
  assert.equal(encodeSpec(parseSpec({})).month, '0-11');
});

test('field errors name the unit and the value', () => {
  assert.throws(() => parseField('month', '12'), /^month: 12 is out of range 0-11$/);
  assert.throws(() => parseField('minute', '60'), /^minute: 60 is out of range 0-59$/);
  assert.throws(() => parseField('mday', '0'), /^mday: 0 is out of range 1-31$/);
  assert.throws(() => parseField('weekday', 'funday'), /^weekday: 'funday' is not a number or a weekday name$/);
  assert.throws(() => parseField('hour', '5-2'), /^hour: range 5-2 is backwards$/);
  assert.throws(() => parseField('hour', '*/0'), /^hour: step must be at least 1/);
  assert.throws(() => parseField('hour', '1-2-3'), /^hour: bad range '1-2-3'$/);
});

test('next wakeup: the first matching second after now, in local time', () => {
  const now = at(2016, 5, 1, 15, 30);
  assert.is(nextWakeup(parseSpec({ second: 0, minute: '15' }), now), at(2016, 5, 1, 16, 15));
  assert.is(nextWakeup(parseSpec({ second: 0, minute: 0, hour: 0 }), now), at(2016, 5, 2));
  // Mondays at midnight: Jun 4 2016 is a Saturday
  assert.is(nextWakeup(parseSpec({ second: 0, minute: 0, hour: 0, weekday: 'Mon' }), at(2016, 5, 4, 15, 45)), at(2016, 5, 6));
  assert.is(nextWakeup(parseSpec({ second: 0, minute: 0, hour: 0, mday: 30, month: 'Dec' }), now), at(2016, 11, 30));
  // never the same second: from exactly a match, the next one
  assert.is(nextWakeup(parseSpec({ second: 0 }), at(2016, 5, 1, 10, 0, 0)), at(2016, 5, 1, 10, 1, 0));
  // a date that never comes, or a year that is past
  assert.is(nextWakeup(parseSpec({ mday: 31, month: 1 }), now), undefined);
  assert.is(nextWakeup(parseSpec({ year: 100 }), now), undefined);
});

test('crontab lines: five fields and the rest as the command', () => {
  assert.equal(splitCrontabLine(' 15 * * * *   flux event pub x y '), { fields: { second: '0', minute: '15', hour: '*', mday: '*', month: '*', weekday: '*' }, command: 'flux event pub x y' });
  assert.is(splitCrontabLine('* * * * true'), undefined);
});

test.run();
