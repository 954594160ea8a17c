/**
 * The walkthrough's "Starting with Flux" (issue 12): a system instance owned
 * by the unprivileged user `flux`, one broker per host (network-namespace
 * hosts test0..test2 of ../shared/peers/hosts) started with the command line
 * of docs/examples/flux.service and a static configuration that names a
 * fourth host which never comes up, with `[access] allow-guest-user`. alice,
 * not the owner, then types the walkthrough's commands on the "login node"
 * (the root namespace, through rank 0's socket); with the IMP installed
 * (flux-imp(8), a munged of the test's own) her jobs run as alice. Runs only as root with the
 * hosts usable; creates the users flux, alice and bob (if they do not exist)
 * and removes those it created, on failure too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, ROOT, run, tmpdir, type Result } from '../helpers/flux';
import { skipped } from '../helpers/skip';
import { HOSTS, hosts, hostsUsable, lockHosts, unlockHosts, until } from '../helpers/hosts-peer';
import { impMissing, installImp, startMunged, type Munged } from '../helpers/imp';

const haveAddon = fs.existsSync(path.join(ROOT, 'dist', 'native', 'flux-ts.node'));
const usable = hostsUsable && haveAddon;
const WHY = 'needs root, iproute2, ../shared/peers and the flux-ts addon';

const OWNER = 'flux';
const ALICE = 'alice';
const BOB = 'bob';
const HOSTNAMES = ['test0', 'test1', 'test2'];
/** in the configuration, never started: the instance shows it offline */
const DOWN = 'test3';
const tmp = tmpdir('flux-sys-');
const created: string[] = [];
const brokers: ChildProcess[] = [];
const runDir = (h: string) => path.join(tmp.dir, 'run', h);
const sysUri = `local://${runDir('test0')}/local-0`;
const confDir = path.join(tmp.dir, 'conf.d');
let munged: Munged | undefined;

process.on('exit', () => {
  for (const p of [...brokers, ...(munged ? [munged] : [])]) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

const uidOf = (user: string) => Number(run('id', ['-u', user]).stdout.trim());

/** `flux ARGS` as `user` on the login node (the root namespace), against the system instance */
function as(user: string, args: readonly string[], dir = tmp.dir): Result {
  return run('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', FLUX, ...args], {
    env: { FLUX_URI: sysUri, HOME: dir, TMPDIR: dir, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, ...(munged ? { FLUX_MUNGE_SOCKET: munged.socket } : {}) },
    cwd: dir,
  });
}

/** The broker command line of docs/examples/flux.service, its paths moved into the test's folder. */
function unitCommand(confDir: string, host: string): string[] {
  const unit = fs.readFileSync(path.join(ROOT, 'docs', 'examples', 'flux.service'), 'utf8');
  const m = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit);
  if (!m) throw new Error('docs/examples/flux.service has no ExecStart');
  const words = m[1]!.replace(/\\\n/g, ' ').trim().split(/\s+/);
  return words.map((w) =>
    w
      .replace('/opt/flux-ts/bin/flux', FLUX)
      .replace('/etc/flux/system/conf.d', confDir)
      .replace('/run/flux', runDir(host))
      .replace('/var/lib/flux', path.join(tmp.dir, 'state', host)),
  );
}

function startBroker(confDir: string, host: string): ChildProcess {
  for (const [d, mode] of [
    [runDir(host), 0o755],
    [path.join(tmp.dir, 'state', host), 0o700],
  ] as const) {
    fs.mkdirSync(path.dirname(d), { recursive: true, mode: 0o755 });
    fs.mkdirSync(d, { recursive: true, mode });
    fs.chmodSync(d, mode);
    fs.chownSync(d, uidOf(OWNER), uidOf(OWNER));
  }
  const [cmd, ...args] = unitCommand(confDir, host);
  const p = spawn('bash', [HOSTS, 'exec', host, 'setpriv', `--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', 'env', `HOME=${tmp.dir}`, cmd!, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  p.on('exit', (code) => {
    if (code !== 0 && code !== null) console.log(`t1202: broker on ${host} exited ${code}: ${err}`);
  });
  brokers.push(p);
  return p;
}

test.before(async () => {
  if (!usable) return;
  await lockHosts();
  for (const u of [OWNER, ALICE, BOB]) {
    if (run('id', ['-u', u]).code === 0) continue;
    const r = run('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', u]);
    if (r.code !== 0) throw new Error(`useradd ${u}: ${r.stderr}`);
    created.push(u);
  }
  fs.chmodSync(tmp.dir, 0o755);
  const up = hosts(['up', '3']);
  assert.is(up.code, 0, up.stderr);
  // the owner's certificate, readable by the owner alone
  const cert = path.join(tmp.dir, 'system.cert');
  const k = run(FLUX, ['keygen', cert]);
  assert.is(k.code, 0, k.stderr);
  fs.chownSync(cert, uidOf(OWNER), uidOf(OWNER));
  fs.mkdirSync(confDir, { mode: 0o755 });
  // the IMP, when it can be installed here: guests' jobs then run as the guests
  let exec = '';
  if (!impMissing) {
    munged = await startMunged(path.join(tmp.dir, 'munge'));
    exec = `\n[exec]\nimp = "${installImp(path.join(tmp.dir, 'prefix'), OWNER, munged.socket)}"\n`;
  } else console.log(`t1202: without the IMP (${impMissing}): alice's jobs are not run`);
  const entries = [...HOSTNAMES, DOWN].map((h) => `  { host = "${h}", bind = "tcp://eth0:8050", connect = "tcp://${h}:8050" },`);
  fs.writeFileSync(
    path.join(confDir, 'system.toml'),
    `[bootstrap]\ncurve_cert = "${cert}"\nhosts = [\n${entries.join('\n')}\n]\n\n[access]\nallow-guest-user = true\nallow-root-owner = true\n${exec}`,
    { mode: 0o644 },
  );
  await bootSystem();
});

/** start a broker per host, as systemd would; ready when alice sees the three online (the fourth never comes) */
async function bootSystem(): Promise<void> {
  for (const h of HOSTNAMES) startBroker(confDir, h);
  await until(() => /size 4,(?:  1 drained,)?  1 offline$/m.test(as(ALICE, ['uptime']).stdout), 'the system instance with 3 of 4 brokers online, as alice', 90_000);
}

/** `flux shutdown` by the owner (as `systemctl stop flux` runs it); every broker exits 0 */
async function stopSystem(): Promise<void> {
  const r = as(OWNER, ['shutdown']);
  assert.is(r.code, 0, r.stderr);
  await until(() => brokers.every((p) => p.exitCode !== null || p.signalCode !== null), 'the brokers to exit', 60_000);
  assert.equal(
    brokers.map((p) => p.exitCode),
    brokers.map(() => 0),
  );
  brokers.length = 0;
}

test.after(async () => {
  try {
    if (usable && brokers.length > 0) {
      as(OWNER, ['shutdown']);
      await until(() => brokers.every((p) => p.exitCode !== null || p.signalCode !== null), 'the brokers to exit', 30_000).catch(() => {
        for (const p of brokers) {
          try {
            process.kill(-p.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      });
    }
  } finally {
    if (usable) {
      hosts(['down']);
      unlockHosts();
      munged?.stop();
      for (const u of created) run('userdel', [u]);
    }
    tmp.cleanup();
  }
});

const NAME1 = 'as alice: flux uptime shows owner flux, depth 0, size 4, the drained and offline counts';
test(NAME1, () => {
  if (!usable) return skipped(NAME1, WHY);
  let r = as(ALICE, ['uptime']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner flux,  depth 0,  size 4,  1 offline\n$/);
  // the owner drains a node for maintenance
  const d = as(OWNER, ['resource', 'drain', '2', 'maintenance']);
  assert.is(d.code, 0, d.stderr);
  r = as(ALICE, ['uptime']);
  assert.match(r.stdout, /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner flux,  depth 0,  size 4,  1 drained,  1 offline\n$/);
  // alice may not undrain it
  const u = as(ALICE, ['resource', 'undrain', '2']);
  assert.equal([u.code !== 0, u.stderr], [true, 'flux-resource: ERROR: resource.undrain: Request requires owner credentials\n']);
  assert.is(as(OWNER, ['resource', 'undrain', '2']).code, 0);
  assert.match(as(ALICE, ['uptime']).stdout, /size 4,  1 offline\n$/);
});

const NAME2 = 'as alice: flux resource info counts the nodes; alice cannot load a module; bob cannot cancel alice`s job';
test(NAME2, () => {
  if (!usable) return skipped(NAME2, WHY);
  const info = as(ALICE, ['resource', 'info']);
  assert.is(info.code, 0, info.stderr);
  assert.match(info.stdout, /^[34] Nodes, \d+ Cores, \d+ GPUs\n$/);
  const mod = as(ALICE, ['module', 'load', 'sched']);
  assert.is.not(mod.code, 0);
  assert.match(mod.stderr, /Request requires owner credentials/);
  assert.is(mod.stderr.trim().split('\n').length, 1, mod.stderr);
  const sub = as(ALICE, ['submit', '--urgency=hold', '-N2', 'hostname']);
  if (impMissing) {
    // without the IMP the instance cannot run alice's job: refused at submission (unsigned: no munged)
    assert.equal([sub.code, sub.stderr.startsWith('[Errno 1] only instance owner can use sign-type=none')], [1, true], sub.stderr);
    return;
  }
  const id = sub.stdout.trim();
  assert.match(id, /^ƒ\w+$/);
  const c = as(BOB, ['cancel', id]);
  assert.is.not(c.code, 0);
  assert.match(c.stderr, 'guests can only raise exceptions on their own jobs');
  const l = as(BOB, ['jobs', '-A', '-n', '-o', '{id.f58} {username} {status_abbrev}']);
  assert.match(l.stdout, `${id} ${ALICE} S`);
  assert.is(as(ALICE, ['cancel', id]).code, 0);
});

const NAME3 = 'restart (an upgrade): a held job (alice`s with the IMP) is still queued, the drained node still drained with its reason';
test(NAME3, async () => {
  if (!usable) return skipped(NAME3, WHY);
  // alice's, when the instance can run it (the IMP); else the owner's
  const who = impMissing ? OWNER : ALICE;
  const held = as(who, ['submit', '--urgency=hold', 'hostname']);
  assert.is(held.code, 0, held.stderr);
  const id = held.stdout.trim();
  assert.is(as(OWNER, ['resource', 'drain', 'test1', 'disk replaced']).code, 0);
  const before = as(OWNER, ['resource', 'drain', '-n', '-o', '{nodelist} {reason} {timestamp}']).stdout;
  assert.match(before, /^test1 disk replaced \S+/m);
  await stopSystem();
  await bootSystem();
  const jobs = as(ALICE, ['jobs', '-A', '-n', '-o', '{id.f58} {username} {status_abbrev}']);
  assert.is(jobs.code, 0, jobs.stderr);
  assert.is(jobs.stdout, `${id} ${who} S\n`);
  // the same reason and time: the drain was restored, not made again
  assert.is(as(ALICE, ['resource', 'drain', '-n', '-o', '{nodelist} {reason} {timestamp}']).stdout, before);
  assert.match(as(ALICE, ['uptime']).stdout, /size 4,  1 drained,  1 offline\n$/);
  assert.is(as(who, ['cancel', id]).code, 0);
  assert.is(as(OWNER, ['resource', 'undrain', 'test1']).code, 0);
});

const NAME4 = 'as alice: flux run -N2 --label-io hostname runs on two hosts, as alice';
test(NAME4, () => {
  if (!usable || impMissing) return skipped(NAME4, impMissing ?? WHY);
  const r = as(ALICE, ['run', '-N2', '--label-io', 'hostname']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean).sort();
  assert.is(lines.length, 2, r.stdout);
  assert.match(lines[0]!, /^0: test[0-2]$/);
  assert.match(lines[1]!, /^1: test[0-2]$/);
  assert.is.not(lines[0]!.slice(3), lines[1]!.slice(3));
  const who = as(ALICE, ['run', '-N2', 'id', '-un']);
  assert.is(who.code, 0, who.stderr);
  assert.is(who.stdout, `${ALICE}\n${ALICE}\n`);
});

const NAME5 = 'as alice: flux alloc -N2 gives alice an instance of her own at depth 1; flux batch -N2 writes flux-ID.out, hers';
test(NAME5, async () => {
  if (!usable || impMissing) return skipped(NAME5, impMissing ?? WHY);
  // alice's own folder: her batch output and her instances' rundirs go there
  const home = path.join(tmp.dir, 'alice');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.chownSync(home, uidOf(ALICE), uidOf(ALICE));
  const alloc = as(ALICE, ['alloc', '-N2', 'flux', 'uptime'], home);
  assert.is(alloc.code, 0, alloc.stderr);
  assert.match(alloc.stdout, /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner alice,  depth 1,  size 2\n$/);
  const script = path.join(home, 'workload.sh');
  fs.writeFileSync(script, '#!/bin/sh\nflux uptime\nflux resource info\nflux run --label-io -N2 hostname\n', { mode: 0o755 });
  fs.chownSync(script, uidOf(ALICE), uidOf(ALICE));
  const b = as(ALICE, ['batch', '-N2', './workload.sh'], home);
  assert.is(b.code, 0, b.stderr);
  const id = b.stdout.trim();
  const w = as(ALICE, ['job', 'wait-event', '-t', '60', id, 'clean'], home);
  assert.is(w.code, 0, w.stderr);
  const out = path.join(home, `flux-${id}.out`);
  assert.is(fs.statSync(out).uid, uidOf(ALICE));
  const lines = fs.readFileSync(out, 'utf8').split('\n');
  assert.match(lines[0]!, /^ \d\d:\d\d:\d\d run [0-9.]+(?:ms|s|m|h|d),  owner alice,  depth 1,  size 2$/);
  assert.match(lines[1]!, /^2 Nodes, \d+ Cores, 0 GPUs$/);
  assert.equal(lines.slice(2).filter(Boolean).map((l) => l.slice(0, 3)).sort(), ['0: ', '1: '], `flux-${id}.out:\n${lines.join('\n')}`);
});

test.run();
