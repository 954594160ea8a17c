/**
 * A broker waiting for its quorum (the start of a big instance, or a
 * static-config rank 0 whose peers are not up) is starting: its cli-pool
 * starts no warm clients, which would take CPU from the brokers still
 * starting, in an instance that may run no command at all. Once the instance
 * is up it does. Brokers on loopback told apart by -Shostname, as in t0632;
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

/** `flux module stats NAME` of the broker at uri, asked without the pool (asking changes nothing) */
function stats<T>(uri: string, name: string): T {
  const r = flux(['module', 'stats', name], { env: { FLUX_URI: uri, FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('waiting for its quorum, rank 0 starts no warm clients; once up, it does', async () => {
  const t = tmpdir();
  const port = await freePort();
  const cert = path.join(t.dir, 'q.cert');
  assert.is(flux(['keygen', cert]).code, 0);
  const uri = `tcp://127.0.0.1:${port}`;
  const toml = path.join(t.dir, 'q.toml');
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "qu0", bind = "${uri}", connect = "${uri}" }, { host = "qu1" } ]\n`);
  const rundir = path.join(t.dir, 'run0');
  fs.mkdirSync(rundir, { mode: 0o700 });
  const local = `local://${rundir}/local-0`;
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

test.run();
