/**
 * Broker attributes that had only unit tests of their values: each is shown
 * here to change what a user sees (flux dmesg, the broker's stderr, the tree,
 * what is left on disk).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { flux } from '../helpers/flux';

test('log-ring-size bounds what flux dmesg shows; log-level filters what enters the ring', () => {
  const ring = flux(['start', '-Slog-ring-size=3', 'sh', '-c', 'for i in 1 2 3 4 5; do flux logger m$i; done; flux dmesg | wc -l']);
  assert.is(ring.code, 0, ring.stderr);
  assert.is(ring.stdout.trim(), '3');
  const lvl = flux(['start', '-Slog-level=4', 'sh', '-c', 'flux logger --severity=info quiet; flux logger --severity=warning loud; flux dmesg | grep -c -e quiet -e loud']);
  assert.is(lvl.stdout.trim(), '1');
});

test('log-forward-level: a follower forwards entries at or below it to the leader', () => {
  const cmd = 'flux exec -r 1 flux logger --severity=notice fwd-me; sleep 0.5; i=0; until flux dmesg | grep -q fwd-me || [ $i -ge 50 ]; do sleep 0.1; i=$((i+1)); done; flux dmesg | grep -c fwd-me';
  const off = flux(['start', '--test-size=2', 'sh', '-c', cmd], { timeoutMs: 60_000 });
  assert.is(off.stdout.trim(), '0', 'notice is above the default forward level (3)');
  const on = flux(['start', '--test-size=2', '-Slog-forward-level=5', 'sh', '-c', cmd], { timeoutMs: 60_000 });
  assert.is(on.stdout.trim(), '1', on.stderr);
});

test('log-stderr-mode=local and log-critical-level change what the broker prints', () => {
  const local = flux(['start', '-Slog-stderr-mode=local', 'flux', 'logger', '--severity=err', 'in-local-mode']);
  assert.match(local.stderr, /^<3>logger\.err\[0\]: in-local-mode$/m);
  const crit = flux(['start', '-Slog-stderr-level=-1', '-Slog-critical-level=3', 'flux', 'logger', '--severity=err', 'critical-now']);
  assert.match(crit.stderr, /logger\.err\[0\]: critical-now/);
  const quiet = flux(['start', '-Slog-stderr-level=-1', 'flux', 'logger', '--severity=err', 'critical-now']);
  assert.not.match(quiet.stderr, /critical-now/);
});

test('tbon.fanout is taken as tbon.topo=kary:K', () => {
  const r = flux(['start', '--test-size=3', '-Stbon.fanout=1', 'sh', '-c', 'flux getattr tbon.topo; flux getattr tbon.maxlevel'], { timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'kary:1\n2\n');
});

test('statedir-cleanup=0 keeps the statedir the broker created', () => {
  const r = flux(['start', '-Sstatedir-cleanup=0', 'flux', 'getattr', 'statedir']);
  assert.is(r.code, 0, r.stderr);
  const dir = r.stdout.trim();
  try {
    assert.ok(fs.statSync(dir).isDirectory());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const gone = flux(['start', 'flux', 'getattr', 'statedir']).stdout.trim();
  assert.not.ok(fs.existsSync(gone));
});

test.run();
