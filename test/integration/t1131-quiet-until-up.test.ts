/**
 * A broker waiting for its quorum (the start of a big instance, or a
 * static-config rank 0 whose peers are not up) is starting: its cli-pool
 * starts no warm clients, which would take CPU from the brokers still
 * starting, in an instance that may run no command at all. Once the instance
 * is up it does. A follower waiting for its parent gives no memory back
 * (broker.idle-reduce), which would collect and drop the code it is about to
 * run (a leaf of a big test instance waits for seconds); once up, it does. Brokers on loopback told apart by -Shostname, as in t0632;
 * rank 0's "quorum delayed" line (broker.quorum-warn) says it has waited
 * three times the pool's delay.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';
import { freePort, killGroup, startBroker, type LoopbackBroker } from '../helpers/loopback-brokers';
import { until, waitUntil } from '../helpers/wait';

interface PoolStats {
  started: number;
}
interface BrokerStats {
  idle_reduce: { count: number };
}

/** a two-host [bootstrap] config on loopback: qu0 (rank 0) listens at the returned uri */
async function twoHosts(dir: string): Promise<{ toml: string; uri: string }> {
  const port = await freePort();
  const cert = path.join(dir, 'q.cert');
  assert.is(flux(['keygen', cert]).code, 0);
  const uri = `tcp://127.0.0.1:${port}`;
  const toml = path.join(dir, 'q.toml');
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "qu0", bind = "${uri}", connect = "${uri}" }, { host = "qu1" } ]\n`);
  return { toml, uri };
}

/** rank's own rundir below dir (owner-only) and its local URI */
function rundirOf(dir: string, rank: number): { rundir: string; local: string } {
  const rundir = path.join(dir, `run${rank}`);
  fs.mkdirSync(rundir, { mode: 0o700 });
  return { rundir, local: `local://${rundir}/local-${rank}` };
}

/** `flux module stats NAME` of the broker at uri, asked without the pool (asking changes nothing) */
function stats<T>(uri: string, name: string): T {
  const r = flux(['module', 'stats', name], { env: { FLUX_URI: uri, FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('waiting for its quorum, rank 0 starts no warm clients; once up, it does', async () => {
  const t = tmpdir();
  const { toml } = await twoHosts(t.dir);
  const { rundir, local } = rundirOf(t.dir, 0);
  let r0: LoopbackBroker | undefined;
  let r1: LoopbackBroker | undefined;
  try {
    r0 = startBroker(
      [`-o,--config-path=${toml},-Shostname=qu0,-Srundir=${rundir},-Sbroker.quorum-warn=1.5s`],
      ['sleep', '300'],
    );
    const b0 = r0;
    await until(() => /broker\.err\[0\]: quorum delayed: waiting for qu1 \(rank 1\)/.test(b0.stderr()), 'the quorum-delayed line', 60_000);
    // 1.5 s in quorum, three times the pool's delay after rc1 loaded it
    assert.is(stats<PoolStats>(local, 'cli-pool').started, 0, 'no warm client while starting');
    r1 = startBroker([`-o,--config-path=${toml},-Shostname=qu1`], ['true']);
    await waitUntil(() => stats<PoolStats>(local, 'cli-pool').started > 0 || undefined, { what: 'warm clients once up', timeoutMs: 60_000, intervalMs: 500 });
  } finally {
    killGroup(r1);
    killGroup(r0);
    t.cleanup();
  }
});

test('waiting for its parent, a follower gives no memory back however quiet it is; once up, it does', async () => {
  const t = tmpdir();
  const { toml, uri } = await twoHosts(t.dir);
  const { rundir, local } = rundirOf(t.dir, 1);
  let r0: LoopbackBroker | undefined;
  let r1: LoopbackBroker | undefined;
  try {
    r1 = startBroker([`-o,--config-path=${toml},-Shostname=qu1,-Srundir=${rundir},-Sbroker.quorum-warn=1s,-Sbroker.idle-reduce=0.2s`], ['true']);
    const b1 = r1;
    // a second of silence: five quiet periods, any of which reduces a broker that is up
    await until(() => b1.stderr().includes(`connect to parent delayed: qu0 (rank 0) at ${uri}`), 'the delayed line', 60_000);
    assert.is(stats<BrokerStats>(local, 'broker').idle_reduce.count, 0, 'reduced while starting');
    r0 = startBroker([`-o,--config-path=${toml},-Shostname=qu0`], ['sleep', '300']);
    await waitUntil(() => stats<BrokerStats>(local, 'broker').idle_reduce.count > 0 || undefined, { what: 'a reduction once up', timeoutMs: 60_000, intervalMs: 500 });
  } finally {
    killGroup(r1);
    killGroup(r0);
    t.cleanup();
  }
});


test.run();
