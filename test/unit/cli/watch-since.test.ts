import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSince, SinceError } from '../../../cli/watch/since';
import { progressLine, formatElapsed } from '../../../cli/watch/progress';

const NOW = 1_800_000_000;

test('--since: offsets, epoch, keywords, dates; future and junk refused', () => {
  assert.is(parseSince('-6h', NOW), NOW - 6 * 3600);
  assert.is(parseSince('-30s', NOW), NOW - 30);
  assert.is(parseSince('1700000000.5', NOW), 1700000000.5);
  assert.is(parseSince('now', NOW), NOW);
  assert.ok(parseSince('yesterday', NOW) < parseSince('today', NOW));
  assert.is(parseSince('2026-06-21T00:00:00Z', NOW), Date.parse('2026-06-21T00:00:00Z') / 1000);
  assert.throws(() => parseSince('someday', NOW), (e: Error) => e instanceof SinceError && e.message === "--since: invalid value 'someday'");
  assert.throws(() => parseSince('-6x', NOW), (e: Error) => e instanceof SinceError);
  assert.throws(() => parseSince(String(NOW + 10), NOW), (e: Error) => /appears to be in the future/.test(e.message));
});

test('progress line: counts, bar, percent, elapsed or job/s', () => {
  const c = { pending: 1, running: 1, complete: 1, failed: 1 };
  const l = progressLine(c, 4, 2, false);
  assert.ok(l.startsWith('PD:1 R:1 CD:1 F:1 │' + '█'.repeat(15) + ' '.repeat(15) + '│  50.0% 2.0s'), l);
  assert.ok(progressLine(c, 4, 2, true).endsWith('1.0 job/s'));
  assert.is(formatElapsed(75), '1:15');
  assert.is(formatElapsed(3725), '1:02:05');
});

test.run();
