/**
 * Instances across hosts: the walkthrough's "Starting with Hydra"
 * (`mpiexec.hydra -launcher ssh -f hosts flux start ./workload.sh`) and
 * "Starting with Static Configuration" (`flux keygen` makes the shared
 * certificate, a TOML file lists the hosts, pdsh starts one broker per host).
 * The hosts are network namespaces with their own hostname and address
 * (shared/peers/hosts; needs root and iproute2, as CI has). Also: the errors a
 * site meets first.
 */
import { test } from 'uvu';
import * as os from 'node:os';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, ROOT, run, tmpdir } from '../helpers/flux';
import { skipped } from '../helpers/skip';
import { HOSTS, HOSTS_SSH, fluxInHost, hosts, hostsUsable as usable, lockHosts, unlockHosts, until } from '../helpers/hosts-peer';

const tmp = tmpdir();
const NO_HOSTS = 'needs root, iproute2 and ../shared/peers';
/** the namespace hosts share this machine's cores */
const CORES3 = 3 * os.cpus().length;
const RUN = /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner root,  depth 0,  size 3$/m;
const workload = path.join(ROOT, 'docs', 'examples', 'workload.sh');
const cert = path.join(tmp.dir, 'test.cert');

function config(name: string, text: string): string {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const HOSTS_TOML = (names: string[]) =>
  `hosts = [\n${names.map((h) => `  { host="${h}", bind="tcp://eth0:8060", connect="tcp://${h}:8060" },`).join('\n')}\n]\n`;

test.before(async () => {
  if (!usable) return;
  await lockHosts();
  const up = hosts(['up', '3']);
  assert.is(up.code, 0, up.stderr);
  const k = run(FLUX, ['keygen', cert]);
  assert.is(k.code, 0, k.stderr);
});
test.after(() => {
  if (usable) {
    hosts(['down']);
    unlockHosts();
  }
  tmp.cleanup();
});

test('pdsh starts three brokers from one config: the walkthrough workload on test0..test2', () => {
  if (!usable) return skipped('pdsh starts three brokers from one config: the walkthrough workload on test0..test2', NO_HOSTS);
  // the walkthrough's file: keys without a [bootstrap] header
  const toml = config('test.toml', `curve_cert = "${cert}"\n\n${HOSTS_TOML(['test0', 'test1', 'test2'])}`);
  const r = hosts(['pdsh', '-w', 'test[0-2]', FLUX, 'start', `-o,--config-path=${toml}`, workload]);
  assert.is(r.code, 0, r.stderr);
  const out = r.stdout.replace(/^test0: /gm, '');
  assert.match(out, new RegExp(`^3 Nodes, ${CORES3} Cores, 0 GPUs$`, 'm'));
  assert.match(out, RUN);
  assert.equal(out.split('\n').filter((l) => /^\d: /.test(l)).sort(), ['0: test0', '1: test1', '2: test2']);
});

test('a [bootstrap] table with default_port and %h/%p templates', () => {
  if (!usable) return skipped('a [bootstrap] table with default_port and %h/%p templates', NO_HOSTS);
  const toml = config(
    'bootstrap.toml',
    `[bootstrap]\ncurve_cert = "${cert}"\ndefault_port = 8061\ndefault_bind = "tcp://eth0:%p"\ndefault_connect = "tcp://%h:%p"\nhosts = [ { host = "test[0-1]" } ]\n`,
  );
  const r = hosts(['pdsh', '-w', 'test[0-1]', FLUX, 'start', `-o,--config-path=${toml}`, 'flux', 'exec', '-l', 'flux', 'getattr', 'hostname']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.replace(/^test0: /gm, '').trim().split('\n').sort(), ['0: test0', '1: test1']);
});

test('mpiexec.hydra -launcher ssh -f hosts flux start: PMI bootstrap across hosts', () => {
  if (!usable || run('sh', ['-c', 'command -v mpiexec.hydra']).code !== 0) return skipped('mpiexec.hydra -launcher ssh -f hosts flux start: PMI bootstrap across hosts', 'needs MPICH (peers/mpich setup) and the hosts');
  const hostfile = config('hostfile', 'test0\ntest1\ntest2\n');
  const r = hosts(['exec', 'test0', 'mpiexec.hydra', '-launcher', 'ssh', '-launcher-exec', HOSTS_SSH, '-f', hostfile, '-n', '3', FLUX, 'start', workload]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^3 Nodes, ${CORES3} Cores, 0 GPUs$`, 'm'));
  assert.match(r.stdout, RUN);
  assert.equal(r.stdout.split('\n').filter((l) => /^\d: /.test(l)).sort(), ['0: test0', '1: test1', '2: test2']);
});

test('errors: a host not listed, a certificate others can read, a port in use', async () => {
  if (!usable) return skipped('errors: a host not listed, a certificate others can read, a port in use', NO_HOSTS);
  let toml = config('others.toml', `[bootstrap]\ncurve_cert = "${cert}"\n${HOSTS_TOML(['test1', 'test2'])}`);
  let r = hosts(['exec', 'test0', FLUX, 'start', `-o,--config-path=${toml}`, 'true']);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'bootstrap: test0 is not in bootstrap.hosts (test[1-2])');

  const open = path.join(tmp.dir, 'open.cert');
  fs.copyFileSync(cert, open);
  fs.chmodSync(open, 0o644);
  toml = config('open.toml', `[bootstrap]\ncurve_cert = "${open}"\n${HOSTS_TOML(['test0', 'test1'])}`);
  r = hosts(['exec', 'test0', FLUX, 'start', `-o,--config-path=${toml}`, 'true']);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, `bootstrap.curve_cert ${open}: readable by others (mode 644): it must be private to the instance owner`);

  // something else holds test0's port
  const squatter: ChildProcess = spawn('bash', [HOSTS, 'exec', 'test0', 'node', '-e', "require('net').createServer().listen(8060, () => console.log('up'))"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((res) => squatter.stdout!.once('data', () => res()));
    toml = config('busy.toml', `[bootstrap]\ncurve_cert = "${cert}"\n${HOSTS_TOML(['test0', 'test1'])}`);
    r = hosts(['exec', 'test0', FLUX, 'start', `-o,--config-path=${toml}`, 'true']);
    assert.is.not(r.code, 0);
    assert.match(r.stderr, /cannot bind tcp:\/\/10\.77\.0\.1:8060: listen EADDRINUSE/);
  } finally {
    // `hosts exec` execs in place: this pid is the node process itself
    squatter.kill('SIGKILL');
  }
});

test('a host that never starts: rank 0 says whom it waits for, every broker.quorum-warn', async () => {
  if (!usable) return skipped('a host that never starts: rank 0 says whom it waits for, every broker.quorum-warn', NO_HOSTS);
  const toml = config('late.toml', `[bootstrap]\ncurve_cert = "${cert}"\ndefault_port = 8062\nhosts = [ { host = "test[0-2]" } ]\n`);
  const r0 = fluxInHost('test0', ['start', '-o,-Sbroker.quorum-warn=0.5s', `-o,--config-path=${toml}`, 'true']);
  try {
    const line = /broker\.err\[0\]: quorum delayed: waiting for test\[1-2\] \(rank 1-2\)/g;
    // said again every 0.5 s while the others stay away
    await until(() => (r0.stderr().match(line) ?? []).length >= 2, 'two quorum delayed lines', 60_000);
    assert.is(r0.proc.exitCode, null);
  } finally {
    // SIGTERM: the broker removes its rundir (a SIGKILL would leave it, this broker having no reaper yet)
    r0.proc.kill('SIGTERM');
    // until it has exited (a bound, not a timing: past it, SIGKILL)
    await until(() => r0.proc.exitCode !== null || r0.proc.signalCode !== null, 'the broker to exit after SIGTERM', 15_000).catch(() => undefined);
    r0.proc.kill('SIGKILL');
  }
});

test.run();
