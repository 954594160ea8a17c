/**
 * A leaf lost at run time: the rest keeps working, and `flux start` exits with
 * the initial program's status (Flux exits 137) after naming the lost rank.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flux } from '../helpers/flux';

// after the kill, wait (polled, at most 60 s) until rank 0 counts the leaf offline
const script =
  'p=$(FLUX_URI=local://$(flux getattr rundir)/local-2 flux getattr broker.pid); kill -9 $p; ' +
  'i=0; until flux uptime | grep -q "1 offline" || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done; ' +
  'flux getattr size; flux uptime | grep -o "1 offline"; exit ';

test('initial program exit 0 gives 0, and the lost rank is named', () => {
  const r = flux(['start', '--test-size=3', 'sh', '-c', script + '0'], { timeoutMs: 40_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '3\n1 offline\n');
  assert.match(r.stderr, /^flux-start: 2 \(pid \d+\) Killed$/m);
  assert.match(r.stderr, /broker\.err\[0\]: dead to Flux: vm \(rank 2\)/);
});

test('initial program exit 5 gives 5', () => {
  const r = flux(['start', '--test-size=3', 'sh', '-c', script + '5'], { timeoutMs: 40_000 });
  assert.is(r.code, 5, r.stderr);
  assert.match(r.stderr, /^flux-start: 2 \(pid \d+\) Killed$/m);
});

test('--test-exit-timeout=none keeps the instance for good', () => {
  const r = flux(['start', '--test-size=3', '--test-exit-timeout=none', 'sh', '-c', script + '0'], {
    timeoutMs: 40_000,
  });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '3\n1 offline\n');
});

test.run();
