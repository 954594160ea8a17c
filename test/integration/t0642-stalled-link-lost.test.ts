/**
 * tbon.tcp_user_timeout: a stopped leaf that takes nothing its parent sends it
 * (here 2 MB of pings it cannot read) is lost once that has lasted the
 * configured 1 s: `Connection timed out` in `flux overlay status`, one line in
 * dmesg naming the attribute, the requests in flight fail with EHOSTUNREACH,
 * and the instance keeps serving.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance | undefined;
let pid1: number | undefined;

test.before(async () => {
  inst = await startInstance(['--test-size=2', '--test-exit-mode=leader', '-Stbon.torpid_min=0.25s', '-Stbon.torpid_max=2s', '-Stbon.tcp_user_timeout=1s']);
});

test.after(async () => {
  if (pid1 !== undefined) {
    try {
      process.kill(pid1, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  inst?.kill();
});

test('a stopped leaf that takes nothing for tcp_user_timeout is lost', async () => {
  const i = inst!;
  const host = i.flux(['getattr', 'hostname']).stdout.trim();
  const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
  pid1 = Number(i.flux(['getattr', 'broker.pid'], { env: { FLUX_URI: `local://${rundir}/local-1` } }).stdout);
  process.kill(pid1, 'SIGSTOP');
  // more than the socket buffers hold, so the parent's writes stall
  const pings = [1, 2].map(() => i.fluxAsync(['ping', '--pad=1000000', '-c', '1', '1']));
  await until(() => i.flux(['overlay', 'status', '--summary']).stdout === 'degraded\n', 'rank 1 to be lost');
  assert.is(i.flux(['overlay', 'status']).stdout, `0 ${host}: degraded\n└─ 1 ${host}: lost Connection timed out\n`);
  const dmesg = i.flux(['dmesg']).stdout;
  assert.match(dmesg, `overlay.err[0]: ${host} (rank 1) took nothing sent to it for 1s (tbon.tcp_user_timeout): disconnecting`);
  assert.match(dmesg, `broker.err[0]: dead to Flux: ${host} (rank 1)`);
  for (const p of await Promise.all(pings)) {
    assert.is(p.code, 1);
    assert.match(p.stderr, /1!broker\.ping: No route to host/);
  }
  assert.is(i.flux(['run', 'echo', 'still', 'serving']).stdout, 'still serving\n');
  // woken, the leaf finds its parent gone and exits by itself
  process.kill(pid1, 'SIGCONT');
  const gone = pid1;
  await until(() => {
    try {
      process.kill(gone, 0);
      return false;
    } catch {
      return true;
    }
  }, 'rank 1 to exit');
  pid1 = undefined;
});

test.run();
