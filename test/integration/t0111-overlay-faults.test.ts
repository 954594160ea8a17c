/**
 * Overlay faults through the real `flux start --test-size`: kill -9 of a leaf is
 * seen by rank 0 (status, dmesg) and the instance keeps answering; kill -9 of
 * rank 0 makes every follower notice, say so, and exit non-zero on its own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processAlive, startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

const alive = processAlive;

function pidOf(i: Instance, rundir: string, rank: number): number {
  const r = i.flux(['getattr', 'broker.pid'], { env: { FLUX_URI: `local://${rundir}/local-${rank}` } });
  assert.is(r.code, 0, r.stderr);
  return Number(r.stdout);
}

test('kill -9 of a leaf: lost in status and dmesg, the instance keeps working', async () => {
  const i = await startInstance(['--test-size=3', '--test-exit-mode=leader']);
  try {
    const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
    const host = i.flux(['getattr', 'hostname']).stdout.trim();
    process.kill(pidOf(i, rundir, 2), 'SIGKILL');
    await until(() => i.flux(['overlay', 'status', '--summary']).stdout === 'degraded\n', 'rank 0 to see rank 2 lost');
    assert.is(i.flux(['overlay', 'status']).stdout, `0 ${host}: degraded\n├─ 1 ${host}: full\n└─ 2 ${host}: lost lost connection\n`);
    const dmesg = i.flux(['dmesg']).stdout;
    assert.match(dmesg, `overlay.err[0]: ${host} (rank 2) failed`);
    assert.match(dmesg, `broker.err[0]: dead to Flux: ${host} (rank 2)`);
    assert.is(i.flux(['getattr', 'size']).stdout, '3\n');
    const ping = i.flux(['ping', '-c', '1', '2']);
    assert.is(ping.code, 1);
    assert.match(ping.stderr, /2!broker\.ping: No route to host/);
    assert.is(i.flux(['overlay', 'status', '-r', '2']).stderr, 'flux-overlay: No route to host\n');
    assert.is(i.flux(['ping', '-c', '1', '1']).code, 0);
    assert.is(i.flux(['overlay', 'status', '--down', '--no-pretty']).stdout, `0 ${host}: degraded\n2 ${host}: lost lost connection\n`);
    assert.is(await i.stop(), 0);
  } finally {
    i.kill();
  }
});

test('kill -9 of rank 0: the followers notice and exit non-zero by themselves', async () => {
  const i = await startInstance(['--test-size=3', '--test-exit-timeout=none']);
  try {
    const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
    const pids = [0, 1, 2].map((r) => pidOf(i, rundir, r));
    process.kill(pids[0]!, 'SIGKILL');
    await until(() => !alive(pids[1]!) && !alive(pids[2]!), 'followers to exit');
    await until(() => /2 \(pid \d+\) exited with rc=1/.test(i.stderr()) && /1 \(pid \d+\) exited with rc=1/.test(i.stderr()), 'flux start to report');
    assert.match(i.stderr(), /overlay\.err\[1\]: lost parent .* \(rank 0\)/);
    assert.match(i.stderr(), /overlay\.err\[2\]: lost parent .* \(rank 0\)/);
  } finally {
    i.kill();
  }
});

test.run();
