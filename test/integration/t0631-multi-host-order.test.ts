/**
 * Multi-host starts and ends on the network-namespace hosts of
 * ../shared/peers/hosts (root and iproute2 needed; skipped otherwise):
 * followers started long before rank 0 keep retrying and join; a host that
 * never starts is named as itself everywhere; and successful 8-host runs,
 * static config and `mpiexec.hydra -launcher ssh`, end without a false
 * `overlay.err[0]: testN (rank N) failed`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLUX, run, tmpdir } from '../helpers/flux';
import { skipped } from '../helpers/skip';
import { HOSTS_SSH, fluxInHost, haveHydra, hosts, hostsUsable, lockHosts, unlockHosts, until, type HostProc } from '../helpers/hosts-peer';

const tmp = tmpdir();
const cert = path.join(tmp.dir, 'test.cert');
/** report the running test as skipped (test/helpers/skip.ts) */
const skip = (name: string, why = 'needs root, iproute2 and ../shared/peers') => skipped(name, why);

function config(name: string, text: string): string {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** What a false teardown failure looks like on rank 0 (or a follower). */
const FALSE_FAILURE = /\(rank \d+\) failed|dead to Flux|lost parent|Connection timed out/;

test.before(async () => {
  if (!hostsUsable) return;
  await lockHosts();
  const up = hosts(['up', '8']);
  assert.is(up.code, 0, up.stderr);
  const k = run(FLUX, ['keygen', cert]);
  assert.is(k.code, 0, k.stderr);
});
test.after(() => {
  if (hostsUsable) {
    hosts(['down']);
    unlockHosts();
  }
  tmp.cleanup();
});

test('followers started long before rank 0 keep retrying and join; a host never started is named as itself', async () => {
  if (!hostsUsable) return skip('followers started long before rank 0 keep retrying and join; a host never started is named as itself');
  const toml = config('order.toml', `[bootstrap]\ncurve_cert = "${cert}"\ndefault_port = 8091\ndefault_bind = "tcp://eth0:%p"\ndefault_connect = "tcp://%h:%p"\nhosts = [ { host = "test[0-3]" } ]\n`);
  // followers say every broker.quorum-warn that they are still trying; 20s is
  // past the point where they used to give up (about 16 s of retries)
  const followers: HostProc[] = ['test1', 'test2'].map((h) => fluxInHost(h, ['start', `-o,--config-path=${toml},-Sbroker.quorum-warn=20s`, 'true']));
  try {
    const delayed = /overlay\.err\[\d\]: connect to parent delayed: test0 \(rank 0\) at tcp:\/\/test0:8091: unreachable for 20s \(connect ECONNREFUSED [0-9.:]+\); still trying/;
    await until(
      () => {
        for (const f of followers) if (f.proc.exitCode !== null) throw new Error(`a follower gave up: ${f.stderr()}`);
        return followers.every((f) => delayed.test(f.stderr()));
      },
      'both followers to say they are still trying',
      90_000,
    );
    // rank 0 at last; test3 never starts (quorum 3 lets the initial program run without it)
    const script = 'flux resource list; echo ---; flux resource status; echo ---; flux overlay status --no-pretty';
    const r = hosts(['exec', 'test0', FLUX, 'start', `-o,--config-path=${toml},-Sbroker.quorum=3`, 'sh', '-c', script]);
    assert.is(r.code, 0, r.stderr);
    const [list, status, overlay] = r.stdout.split('---\n') as [string, string, string];
    assert.match(list, /^ +free +3 +\d+ +0 test\[0-2\]$/m);
    assert.match(list, /^ +down +1 +\d+ +0 test3$/m);
    // the offline node: `avail*  ✗  1 test3` (it used to say test0)
    assert.match(status, /✗ +1 test3$/m);
    assert.not.match(status, /✗ .*test0/);
    assert.match(overlay, /^3 test3: offline$/m);
    for (const f of followers) {
      assert.is(await f.exited, 0, f.stderr());
      assert.not.match(f.stderr(), FALSE_FAILURE);
    }
  } finally {
    for (const f of followers) f.proc.kill('SIGKILL');
  }
});

test('8-host static-config runs end cleanly, 6 times in a row', () => {
  if (!hostsUsable) return skip('8-host static-config runs end cleanly, 6 times in a row');
  const toml = config('h8.toml', `[bootstrap]\ncurve_cert = "${cert}"\ndefault_port = 8090\ndefault_bind = "tcp://eth0:%p"\ndefault_connect = "tcp://%h:%p"\nhosts = [ { host = "test[0-7]" } ]\n`);
  for (let i = 0; i < 6; i++) {
    const r = hosts(['pdsh', '-w', 'test[0-7]', FLUX, 'start', `-o,--config-path=${toml}`, 'flux', 'uptime']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /size 8$/m);
    assert.not.match(r.stdout + r.stderr, FALSE_FAILURE, `run ${i + 1}: ${r.stdout}${r.stderr}`);
  }
});

test('8-host mpiexec.hydra -launcher ssh runs end cleanly, 4 times in a row', () => {
  if (!haveHydra) return skip('8-host mpiexec.hydra -launcher ssh runs end cleanly, 4 times in a row', 'needs MPICH (peers/mpich setup) and the hosts');
  const hostfile = config('hostfile8', Array.from({ length: 8 }, (_, i) => `test${i}\n`).join(''));
  for (let i = 0; i < 4; i++) {
    const r = hosts(['exec', 'test0', 'mpiexec.hydra', '-launcher', 'ssh', '-launcher-exec', HOSTS_SSH, '-f', hostfile, '-n', '8', FLUX, 'start', 'flux', 'uptime']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /size 8$/m);
    assert.not.match(r.stdout + r.stderr, FALSE_FAILURE, `run ${i + 1}: ${r.stdout}${r.stderr}`);
  }
});

test.run();
