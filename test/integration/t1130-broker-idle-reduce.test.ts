/**
 * broker.idle-reduce (issue 13, rank 0's idle memory): once fewer than 10
 * messages a second have passed through the broker for the quiet period, it
 * runs V8's memory-reducing collection (the addon's lowMemory(); a plain full
 * collection on a build without it), once, and again after the next burst
 * has ended. `flux module stats broker` shows how many reductions ran and
 * what the last one did. Every wait polls slower than the quiet period (a
 * poll is itself a few messages). Nothing here asserts a duration.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, flux, startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

interface Stats {
  memory: { rss: number; heap_used: number; heap_total: number; external: number };
  idle_reduce: { quiet: string; count: number; last: { method: string; rss_before: number; rss_after: number; ms: number } | null };
}

const HAVE_ADDON = fs.existsSync(path.join(ROOT, 'dist', 'native', 'flux-ts.node'));

function stats(inst: Instance): Stats {
  const r = inst.flux(['module', 'stats', 'broker']);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Stats;
}

function kib(pid: number, key: string): number {
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** utime + stime of `pid`, in clock ticks */
function cpuTicks(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** a reduction with a count above `after`, polled every 1.5 s (the quiet period is 0.3 s) */
function reduced(inst: Instance, after: number, what: string): Promise<Stats> {
  return waitUntil(
    () => {
      const s = stats(inst);
      return s.idle_reduce.count > after ? s : undefined;
    },
    { what, timeoutMs: 60_000, intervalMs: 1500 },
  );
}

test('an idle broker reduces its memory, and again once a burst of jobs is over', async () => {
  const inst = await startInstance(['--test-size=1', '-Sbroker.idle-reduce=0.3s']);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    assert.is(inst.flux(['getattr', 'broker.idle-reduce']).stdout.trim(), '0.3s');
    // after start-up
    const first = await reduced(inst, 0, 'the reduction after start-up');
    assert.is(first.idle_reduce.quiet, '0.3s');
    assert.is(first.idle_reduce.last?.method, HAVE_ADDON ? 'v8-low-memory' : 'full-gc');
    assert.ok(first.idle_reduce.last!.rss_after < first.idle_reduce.last!.rss_before, JSON.stringify(first.idle_reduce.last));
    // a burst: the broker does not reduce in it; once it is over, it does again
    const r = inst.flux(['submit', '--cc=1-300', '--quiet', '--wait', 'true'], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    const n = stats(inst).idle_reduce.count;
    const after = await reduced(inst, n, 'the reduction after the burst');
    const last = after.idle_reduce.last!;
    assert.ok(last.rss_after < last.rss_before, JSON.stringify(last));
    // what stays resident once idle again is below the burst's peak
    assert.ok(kib(pid, 'VmRSS') < kib(pid, 'VmHWM'), `VmRSS ${kib(pid, 'VmRSS')} kB, VmHWM ${kib(pid, 'VmHWM')} kB`);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
});

test("rank 0 of two brokers reduces too: the resource module's poll of broker.online every second is not work", async () => {
  const inst = await startInstance(['--test-size=2']);
  try {
    assert.is(inst.flux(['getattr', 'broker.idle-reduce']).stdout.trim(), '2s');
    const s = await waitUntil(
      () => {
        const st = stats(inst);
        return st.idle_reduce.count > 0 ? st : undefined;
      },
      { what: 'a reduction on rank 0', timeoutMs: 60_000, intervalMs: 3000 },
    );
    assert.is(s.idle_reduce.quiet, '2s');
    assert.ok(s.idle_reduce.last!.rss_after < s.idle_reduce.last!.rss_before, JSON.stringify(s.idle_reduce.last));
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
});

test('broker.idle-reduce=none: no reduction, even once the broker is idle', async () => {
  const inst = await startInstance(['--test-size=1', '-Sbroker.idle-reduce=none']);
  try {
    const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
    assert.is(inst.flux(['run', 'true']).code, 0);
    // idle: the broker's CPU time has not moved across two polls 1.5 s apart (ten times the 0.3 s above)
    let seen = -1;
    await waitUntil(
      () => {
        const now = cpuTicks(pid);
        const still = now === seen;
        seen = now;
        return still;
      },
      { what: 'the broker to be idle', timeoutMs: 60_000, intervalMs: 1500 },
    );
    const s = stats(inst);
    assert.is(s.idle_reduce.quiet, 'none');
    assert.is(s.idle_reduce.count, 0);
    assert.is(s.idle_reduce.last, null);
  } finally {
    await inst.stop().catch(() => inst.kill());
  }
});

test('broker.idle-reduce: a value that is not none or a duration up to 1d is refused in one line', () => {
  for (const bad of ['soon', '2d', '-1s']) {
    const r = flux(['start', `-Sbroker.idle-reduce=${bad}`, 'true']);
    assert.is.not(r.code, 0, bad);
    assert.match(r.stderr, /Error parsing broker.idle-reduce attribute/, r.stderr);
  }
});

test.run();
