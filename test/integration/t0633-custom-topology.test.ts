/**
 * A static config's tree (flux-config-bootstrap(5)): Flux's default with
 * [bootstrap] is tbon.topo `custom`, where `parent` keys (a host named again
 * only gains them) draw the tree and a host without one is a child of rank 0;
 * parent keys that draw no tree, or that meet another tbon.topo, are refused
 * with one line; enable_ipv6 lets the overlay run over IPv6, and an IPv6
 * address without it is refused. Brokers on loopback, told apart by -Shostname.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { freePort, killGroup, startBroker, type LoopbackBroker } from '../helpers/loopback-brokers';
import { testWhen } from '../helpers/skip';
import { until } from '../helpers/wait';

const tmp = tmpdir();
const cert = path.join(tmp.dir, 'ct.cert');

test.before(() => {
  const k = flux(['keygen', cert]);
  assert.is(k.code, 0, k.stderr);
});
test.after(() => tmp.cleanup());

function config(name: string, text: string): string {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** rank 0 named `host` with `toml`, the followers named in `others` started first. */
async function instance(toml: string, host: string, others: readonly string[]): Promise<{ inst: Instance; followers: LoopbackBroker[] }> {
  const followers = others.map((h) => startBroker([`-o,--config-path=${toml},-Shostname=${h}`]));
  try {
    const inst = await startInstance([`-o,--config-path=${toml},-Shostname=${host}`], { timeoutMs: 60_000 });
    return { inst, followers };
  } catch (e) {
    followers.forEach(killGroup);
    throw e;
  }
}

async function stop(inst: Instance | undefined, followers: readonly LoopbackBroker[]): Promise<void> {
  try {
    if (inst) {
      assert.is(await inst.stop(), 0);
      for (const f of followers) await until(() => f.code() !== undefined, 'a follower to exit', 60_000);
      for (const f of followers) assert.is(f.code(), 0, f.stderr());
    }
  } finally {
    inst?.kill();
    followers.forEach(killGroup);
  }
}

test('parent keys draw a three-level tree: attributes, overlay status and jobs on every rank', async () => {
  const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  const entries = ports.map((p, i) => `  { host = "ct${i}", bind = "tcp://127.0.0.1:${p}", connect = "tcp://127.0.0.1:${p}" },`);
  // all hosts first (their ranks), then groups of them named again with a parent
  const toml = config('tree.toml', `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [\n${entries.join('\n')}\n  { host = "ct2", parent = "ct1" },\n  { host = "ct4", parent = "ct3" },\n]\n`);
  let started: { inst: Instance; followers: LoopbackBroker[] } | undefined;
  try {
    started = await instance(toml, 'ct0', ['ct1', 'ct2', 'ct3', 'ct4']);
    const { inst } = started;
    assert.is(inst.flux(['getattr', 'tbon.topo']).stdout, 'custom\n');
    const status = inst.flux(['overlay', 'status']);
    assert.is(status.code, 0, status.stderr);
    assert.is(status.stdout, '0 ct0: full\n├─ 1 ct1: full\n│  └─ 2 ct2: full\n└─ 3 ct3: full\n   └─ 4 ct4: full\n');
    const levels = inst.flux(['exec', '--label-io', '-r', 'all', 'flux', 'getattr', 'tbon.level']);
    assert.is(levels.code, 0, levels.stderr);
    assert.is(levels.stdout.split('\n').filter(Boolean).sort().join(' '), '0: 0 1: 1 2: 2 3: 1 4: 2');
    assert.is(inst.flux(['exec', '-r', '2', 'flux', 'getattr', 'tbon.parent-endpoint']).stdout, `tcp://127.0.0.1:${ports[1]}\n`);
    assert.is(inst.flux(['getattr', 'tbon.maxlevel']).stdout, '2\n');
    const job = inst.flux(['run', '-N5', '--label-io', 'flux', 'getattr', 'rank']);
    assert.is(job.code, 0, job.stderr);
    assert.is(job.stdout.split('\n').filter(Boolean).sort().join(' '), '0: 0 1: 1 2: 2 3: 3 4: 4');
  } finally {
    await stop(started?.inst, started?.followers ?? []);
  }
});

test('without parent keys every host is a child of rank 0 (tbon.topo custom, as Flux)', async () => {
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const entries = ports.map((p, i) => `{ host = "fl${i}", bind = "tcp://127.0.0.1:${p}", connect = "tcp://127.0.0.1:${p}" }`);
  const toml = config('flat.toml', `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ ${entries.join(', ')} ]\n`);
  let started: { inst: Instance; followers: LoopbackBroker[] } | undefined;
  try {
    started = await instance(toml, 'fl0', ['fl1', 'fl2']);
    assert.is(started.inst.flux(['getattr', 'tbon.topo']).stdout, 'custom\n');
    assert.is(started.inst.flux(['overlay', 'status']).stdout, '0 fl0: full\n├─ 1 fl1: full\n└─ 2 fl2: full\n');
  } finally {
    await stop(started?.inst, started?.followers ?? []);
  }
});

test('parent keys that draw no tree, or meet another tbon.topo, are refused with one line', () => {
  const cases: [string, string][] = [
    ['{ host = "k[0-3]" }, { host = "k2", parent = "k2" }', 'bootstrap.hosts[1].parent: k2 cannot be its own parent'],
    ['{ host = "k[0-3]" }, { host = "k2", parent = "k9" }', 'bootstrap.hosts[1].parent: k9 is not in bootstrap.hosts'],
    ['{ host = "k[0-3]" }, { host = "k1", parent = "k3" }, { host = "k3", parent = "k1" }', 'bootstrap.hosts: parent keys make a loop that never reaches rank 0 (k1 -> k3 -> k1)'],
  ];
  for (const [hosts, line] of cases) {
    const toml = config('bad.toml', `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ ${hosts} ]\n`);
    const r = flux(['start', `-o,--config-path=${toml},-Shostname=k0`, 'true'], { timeoutMs: 60_000 });
    assert.is(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`bootstrap failed: ${line}\n`), r.stderr);
  }
  // the walkthrough's form, the keys without their [bootstrap] header
  const bare = config('bare.toml', `curve_cert = "${cert}"\nhosts = [ { host = "k[0-3]" }, { host = "k0", parent = "k1" } ]\n`);
  const b = flux(['start', `-o,--config-path=${bare},-Shostname=k0`, 'true'], { timeoutMs: 60_000 });
  assert.is(b.code, 1, b.stderr);
  assert.ok(b.stderr.includes('bootstrap failed: bootstrap.hosts[1].parent: k0 is rank 0, the root of the tree: it has no parent\n'), b.stderr);
  const kary = config('kary.toml', `[tbon]\ntopo = "kary:2"\n[bootstrap]\ncurve_cert = "${cert}"\nhosts = [ { host = "k[0-3]" }, { host = "k3", parent = "k1" } ]\n`);
  const r = flux(['start', `-o,--config-path=${kary},-Shostname=k0`, 'true'], { timeoutMs: 60_000 });
  assert.is(r.code, 1, r.stderr);
  assert.ok(r.stderr.includes('bootstrap failed: bootstrap.hosts: k3 has a parent key, which needs tbon.topo custom (the default with [bootstrap]), but tbon.topo is kary:2\n'), r.stderr);
});

const noIpv6 = os.networkInterfaces()['lo']?.some((a) => a.family === 'IPv6' && a.address === '::1') ? undefined : 'loopback has no IPv6 address (::1) here';

testWhen(test, 'enable_ipv6: the overlay runs over IPv6 loopback; without it an IPv6 address is refused', noIpv6, async () => {
  const port = await freePort();
  const body = `curve_cert = "${cert}"\ndefault_port = ${port}\ndefault_bind = "tcp://lo:%p"\ndefault_connect = "tcp://[::1]:%p"\nhosts = [ { host = "v[0-1]" } ]\n`;
  // IPv4 only, said explicitly, in the walkthrough's form (no [bootstrap] header)
  const off = config('v4.toml', `enable_ipv6 = false\n${body}`);
  const r = flux(['start', `-o,--config-path=${off},-Shostname=v0`, 'true'], { timeoutMs: 60_000 });
  assert.is(r.code, 1, r.stderr);
  assert.ok(r.stderr.includes(`bootstrap failed: bootstrap.default_connect tcp://[::1]:%p is an IPv6 address: set bootstrap.enable_ipv6 = true to use IPv6\n`), r.stderr);
  const on = config('v6.toml', `[bootstrap]\nenable_ipv6 = true\n${body}`);
  let started: { inst: Instance; followers: LoopbackBroker[] } | undefined;
  try {
    started = await instance(on, 'v0', ['v1']);
    assert.is(started.inst.flux(['getattr', 'tbon.endpoint']).stdout, `tcp://[::1]:${port}\n`);
    assert.is(started.inst.flux(['exec', '-r', '1', 'flux', 'getattr', 'tbon.parent-endpoint']).stdout, `tcp://[::1]:${port}\n`);
    assert.is(started.inst.flux(['overlay', 'status']).stdout, '0 v0: full\n└─ 1 v1: full\n');
  } finally {
    await stop(started?.inst, started?.followers ?? []);
  }
});

test.run();
