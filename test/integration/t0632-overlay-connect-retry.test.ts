/**
 * A static-config follower whose parent is not up yet (brokers on loopback,
 * told apart by -Shostname): it says once that it retries, says every
 * broker.quorum-warn that it still does, and joins when rank 0 comes; SIGTERM
 * ends the wait at once; a refusal (a key the parent does not know) ends it
 * at once without retrying.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { freePort, killGroup, startBroker as follower, type LoopbackBroker } from '../helpers/loopback-brokers';
import { until } from '../helpers/wait';

async function setup(t: { dir: string }, names: string): Promise<{ toml: string; uri: string; cert: string }> {
  const port = await freePort();
  const cert = path.join(t.dir, `${names}.cert`);
  assert.is(flux(['keygen', cert]).code, 0);
  const uri = `tcp://127.0.0.1:${port}`;
  const toml = path.join(t.dir, `${names}.toml`);
  fs.writeFileSync(toml, `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "${names}0", bind = "${uri}", connect = "${uri}" }, { host = "${names}1" } ]\n`);
  return { toml, uri, cert };
}

test('a follower retries until rank 0 comes, saying so, then joins', async () => {
  const t = tmpdir();
  const { toml, uri } = await setup(t, 'rt');
  const f = follower([`-o,--config-path=${toml},-Shostname=rt1,-Sbroker.quorum-warn=2s,-Slog-stderr-level=6`]);
  let inst: Instance | undefined;
  try {
    const port = uri.split(':').pop();
    await until(() => f.stderr().includes(`overlay.info[1]: cannot connect to parent rt0 (rank 0) at ${uri}: connect ECONNREFUSED 127.0.0.1:${port}; retrying`), 'the retry line', 60_000);
    await until(() => f.stderr().includes(`overlay.err[1]: connect to parent delayed: rt0 (rank 0) at ${uri}: unreachable for 2s (connect ECONNREFUSED 127.0.0.1:${port}); still trying`), 'the delayed line', 60_000);
    assert.is(f.code(), undefined, f.stderr());
    inst = await startInstance([`-o,--config-path=${toml},-Shostname=rt0`], { timeoutMs: 60_000 });
    const r = inst.flux(['exec', '-r', '1', 'flux', 'getattr', 'hostname']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'rt1\n');
    // once connected, rank 1 logs to its own ring (and forwards only errors)
    const dmesg = inst.flux(['exec', '-r', '1', 'flux', 'dmesg']);
    assert.match(dmesg.stdout, /overlay\.info\[1\]: connected to parent rt0 \(rank 0\) after \d+ attempts in \d+\.\ds/);
    assert.is(await inst.stop(), 0);
    await until(() => f.code() !== undefined, 'the follower to exit', 60_000);
    assert.is(f.code(), 0, f.stderr());
  } finally {
    inst?.kill();
    killGroup(f);
    t.cleanup();
  }
});

test('SIGTERM ends a follower that is still retrying', async () => {
  const t = tmpdir();
  const { toml, uri } = await setup(t, 'st');
  const f = follower([`-o,--config-path=${toml},-Shostname=st1,-Slog-stderr-level=6`]);
  try {
    await until(() => f.stderr().includes(`cannot connect to parent st0 (rank 0) at ${uri}`), 'the retry line', 60_000);
    f.proc.kill('SIGTERM');
    await until(() => f.code() !== undefined, 'the follower to exit', 10_000);
    assert.is.not(f.code(), 0);
    assert.match(f.stderr(), /broker\.err\[1\]: received SIGTERM/);
  } finally {
    killGroup(f);
    t.cleanup();
  }
});

test('a follower whose key rank 0 does not know stops at once, and rank 0 names its address', async () => {
  const t = tmpdir();
  const { toml, cert } = await setup(t, 'kf');
  // the follower's own copy of the config names another certificate
  const other = path.join(t.dir, 'other.cert');
  assert.is(flux(['keygen', other]).code, 0);
  const otherToml = path.join(t.dir, 'other.toml');
  fs.writeFileSync(otherToml, fs.readFileSync(toml, 'utf8').replace(cert, other));
  let inst: Instance | undefined;
  let f: LoopbackBroker | undefined;
  try {
    inst = await startInstance([`-o,--config-path=${toml},-Shostname=kf0,-Sbroker.quorum=1`], { timeoutMs: 60_000 });
    f = follower([`-o,--config-path=${otherToml},-Shostname=kf1`]);
    await until(() => f!.code() !== undefined, 'the follower to give up', 20_000);
    assert.is.not(f.code(), 0);
    assert.match(f.stderr(), /broker\.err\[1\]: cannot connect to parent kf0 \(rank 0\) at tcp:\/\/127\.0\.0\.1:\d+: refused by parent: key not authorized/);
    await until(() => /overlay\.err\[0\]: connection from 127\.0\.0\.1:\d+ closed: refused: unknown key /.test(inst!.flux(['dmesg']).stdout), 'rank 0 to log the refusal', 60_000);
    assert.is(await inst.stop(), 0);
  } finally {
    inst?.kill();
    if (f) killGroup(f);
    t.cleanup();
  }
});

test.run();
