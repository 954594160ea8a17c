/**
 * Guests in an instance (issue 12, part 1; flux-config-access(5)): an instance
 * started by an unprivileged owner with `[access] allow-guest-user` lets other
 * users in with the user role, learned from the kernel (SO_PEERCRED). They
 * read its state and act on their own jobs only; administrative requests and
 * other users' jobs answer EPERM in one line. Without the key they are refused
 * at the handshake. A guest's job that could not run is refused at submission
 * in one line: unsigned (MUNGE not running), --flags=novalidate, or with no
 * `[exec] imp`. The guests' held jobs need a munged of the test's own (to sign
 * them) and an `[exec] imp` path (never run here: they are held, or it is
 * removed first). With `[access] private-mode` a guest sees only its own
 * jobs. Runs only as root (it creates the users fluxtst-owner,
 * fluxtst-alice and fluxtst-bob, and removes them after, on failure too).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';

import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, ROOT, fluxAsync, run, tmpdir, type Result } from '../helpers/flux';
import { until } from '../helpers/wait';
import { startMunged, type Munged } from '../helpers/imp';

const asRoot = process.getuid?.() === 0;
const haveAddon = fs.existsSync(path.join(ROOT, 'dist', 'native', 'flux-ts.node'));
const usable = asRoot && haveAddon;
if (!usable) console.log(`t1200: SKIP: ${asRoot ? 'the flux-ts addon is not built' : 'needs root (creates users)'}`);
const haveMunged = run('sh', ['-c', 'command -v munged && command -v munge']).code === 0;
if (usable && !haveMunged) console.log('t1200: the tests of guests` own jobs SKIP: needs munge and munged (apt-get install munge)');
/** an `[exec] imp` for the guests' held jobs: a job that starts (none here until it is removed) would fail */
const FAKE_IMP = '/nonexistent/flux-imp';
const GUESTS_CONF = '[access]\nallow-guest-user = true\nallow-root-owner = true\n';

const OWNER = 'fluxtst-owner';
const ALICE = 'fluxtst-alice';
const BOB = 'fluxtst-bob';
const USERS = [OWNER, ALICE, BOB];
const tmp = tmpdir();
const live: Array<{ proc: ChildProcess; uri: string }> = [];
let uri = '';
let munged: Munged | undefined;

// whatever happens, nothing of ours outlives the test process
process.on('exit', () => {
  const groups = [...live.map(({ proc }) => proc.pid), munged?.pid];
  for (const pid of groups) {
    try {
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

const uidOf = (user: string) => Number(run('id', ['-u', user]).stdout.trim());

/** `flux ARGS` as `user`, against `at` (signing with the test's munged, or `socket`) */
function as(user: string, args: readonly string[], at = uri, socket = munged?.socket): Result {
  return run('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', FLUX, ...args], {
    env: { FLUX_URI: at, HOME: tmp.dir, TMPDIR: tmp.dir, ...(socket !== undefined ? { FLUX_MUNGE_SOCKET: socket } : {}) },
    cwd: tmp.dir,
  });
}

/** `flux ARGS` as `user` in the background (a subscriber waiting for events), killed after 60 s */
function asAsync(user: string, args: readonly string[]): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', FLUX, ...args], {
      env: { ...process.env, FLUX_URI: uri, HOME: tmp.dir, TMPDIR: tmp.dir },
      cwd: tmp.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? 1 });
    });
  });
}

/** `flux start -c CONF` as the owner; resolves with its FLUX_URI */
function startAsOwner(conf: string, extra: readonly string[] = []): Promise<string> {
  const proc = spawn('setpriv', [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', FLUX, 'start', ...extra, '-c', conf, 'sh', '-c', 'echo "$FLUX_URI"; exec cat >/dev/null'], {
    env: { ...process.env, HOME: tmp.dir, TMPDIR: tmp.dir, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    cwd: tmp.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start; stderr: ${err}`)), 30_000);
    proc.on('exit', () => reject(new Error(`flux start exited; stderr: ${err}`)));
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const u = out.slice(0, nl).trim();
      live.push({ proc, uri: u });
      resolve(u);
    });
  });
}

function removeUsers(): void {
  for (const u of USERS) run('userdel', [u]);
}

function conf(name: string, text: string): string {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'access.toml'), text, { mode: 0o644 });
  return dir;
}

test.before(async () => {
  if (!usable) return;
  removeUsers();
  for (const u of USERS) {
    const r = run('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', u]);
    if (r.code !== 0) throw new Error(`useradd ${u}: ${r.stderr}`);
  }
  fs.chmodSync(tmp.dir, 0o755);
  fs.chownSync(tmp.dir, uidOf(OWNER), uidOf(OWNER));
  if (haveMunged) munged = await startMunged(path.join(tmp.dir, 'munge'));
  uri = await startAsOwner(conf('guests', `${GUESTS_CONF}[exec]\nimp = "${FAKE_IMP}"\n`));
});

test.after(async () => {
  try {
    for (const { proc } of live) {
      proc.stdin?.end();
      const gone = new Promise((r) => proc.once('exit', r));
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 20_000);
      if (proc.exitCode === null && proc.signalCode === null) await gone;
      clearTimeout(t);
    }
  } finally {
    munged?.stop();
    if (usable) removeUsers();
    tmp.cleanup();
  }
});

const t = usable ? test : test.skip;
/** a test of guests' own jobs: they are signed */
const tj = usable && haveMunged ? test : test.skip;

t('with allow-guest-user the rundir is 0755 and the socket 0777; guests see the instance', () => {
  const sock = uri.slice('local://'.length);
  assert.is((fs.statSync(path.dirname(sock)).mode & 0o777).toString(8), '755');
  assert.is((fs.statSync(sock).mode & 0o777).toString(8), '777');
  const up = as(ALICE, ['uptime']);
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `owner ${OWNER},  depth 0,  size 1`);
  assert.is(as(BOB, ['getattr', 'rank']).stdout.trim(), '0');
  // a guest does not reach the owner's warm client pool (its socket is 0600): no warning, its command runs in Node
  assert.is(up.stderr, '');
  for (const args of [['resource', 'info'], ['resource', 'list'], ['resource', 'status'], ['overlay', 'status'], ['queue', 'status'], ['config', 'get'], ['jobs', '-A'], ['ping', '-c', '1', 'broker']]) {
    const r = as(BOB, args);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

/** a client that sends one response message, as `user`; prints whether the broker closed it */
const FORGER = `
const net = require('net');
const { encodeFrame } = require(process.argv[1]);
const s = net.createConnection(process.argv[2]);
s.once('data', () => s.write(encodeFrame({ type: 2, flags: 0, topic: 'kvs.get', nodeid: 0, matchtag: 1, route: ['forged'], userid: 0, rolemask: 1, errnum: 0, payload: {} })));
s.on('close', () => { console.log('closed'); process.exit(0); });
s.on('error', () => undefined);
setTimeout(() => { console.log('still open'); process.exit(1); }, 10000);
`;

/** event.pub of a fatal job-exception for job argv[2], naming the owner's credentials as a forwarding broker would */
const FORGED_PUB = `
const { Client } = require(process.argv[1]);
Client.connect().then(async (c) => {
  try {
    await c.rpc('event.pub', { topic: 'job-exception', payload: { id: Number(process.argv[2]), type: 'cancel', severity: 0 }, userid: 0, rolemask: 1 });
    console.log('published');
  } catch (e) {
    console.log(e.message);
  } finally {
    c.close();
  }
});
`;

/** service.add through the client API; prints the error text */
const SERVICE_ADD = `
const { Client } = require(process.argv[1]);
Client.connect().then((c) => c.rpc('service.add', { service: 'mine' })).then(() => console.log('added'), (e) => console.log(e.message)).finally(() => process.exit(0));
`;

t('a guest cannot answer requests (forge responses) nor register a service', () => {
  const codec = path.join(ROOT, 'dist', 'kernel', 'message', 'codec.js');
  const r = run('setpriv', [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--init-groups', process.execPath, '-e', FORGER, codec, uri.slice('local://'.length)], { cwd: tmp.dir });
  assert.is(r.stdout.trim(), 'closed', r.stderr);
  const log = run(FLUX, ['dmesg'], { env: { FLUX_URI: uri } }).stdout;
  assert.match(log, /dropping client-\d+ \(pid \d+\): a guest sent a response message/);
  const add = run('setpriv', [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--init-groups', process.execPath, '-e', SERVICE_ADD, path.join(ROOT, 'dist', 'cli', 'api', 'client.js')], {
    env: { FLUX_URI: uri },
    cwd: tmp.dir,
  });
  assert.is(add.stdout.trim(), 'service.add: only the instance owner may register services', add.stderr);
});

t('allow-root-owner: root acting on the owner`s instance has the owner role', () => {
  const r = run(FLUX, ['module', 'list'], { env: { FLUX_URI: uri } });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'job-manager');
});

t('owner-only services answer EPERM with one line to a guest', () => {
  const cases: Array<[string[], string]> = [
    [['module', 'remove', 'sched'], 'module.remove: Request requires owner credentials'],
    [['module', 'list'], 'module.list: Request requires owner credentials'],
    [['setattr', 'log-level', '5'], 'attr.set: Request requires owner credentials'],
    [['shutdown'], 'Request requires owner credentials'],
    [['config', 'reload'], 'config.reload: Request requires owner credentials'],
    [['dmesg'], 'log.dmesg: Request requires owner credentials'],
    [['resource', 'drain', '0', 'mine'], 'resource.drain: Request requires owner credentials'],
    [['exec', '-r', '0', 'true'], 'Request requires owner credentials'],
    [['queue', 'stop'], 'Request requires owner credentials'],
    [['resource', 'undrain', '0'], 'resource.undrain: Request requires owner credentials'],
    [['jobtap', 'list'], 'Request requires owner credentials'],
    [['module', 'load', 'sched'], 'module.load: Request requires owner credentials'],
  ];
  for (const [args, text] of cases) {
    const r = as(ALICE, args);
    assert.is.not(r.code, 0, `${args.join(' ')} by a guest succeeded: ${r.stdout}`);
    assert.match(r.stderr, text, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.trim().split('\n').length <= 2, `${args.join(' ')}: ${r.stderr}`);
  }
  // and nothing happened: the module is still there, the attribute unchanged
  assert.match(run(FLUX, ['module', 'list'], { env: { FLUX_URI: uri } }).stdout, 'sched');
  assert.is(run(FLUX, ['getattr', 'log-level'], { env: { FLUX_URI: uri } }).stdout.trim(), '7');
});

t('a guest`s flux event sub gets the owner role`s events, but not the private ones (flux event pub -p)', async () => {
  // a private and a public event in turn until the guest has printed two: both must be the public ones
  let exited = false;
  const sub = asAsync(ALICE, ['event', 'sub', '-c', '2', 't1200.ev']).then((r) => {
    exited = true;
    return r;
  });
  for (let n = 0; !exited && n < 300; n++) {
    for (const args of [['-p', 't1200.ev.private', `{"n":${n}}`], ['t1200.ev.public', `{"n":${n}}`]]) {
      if (exited) break;
      const r = await fluxAsync(['event', 'pub', ...args], { env: { FLUX_URI: uri } });
      assert.is(r.code, 0, r.stderr);
    }
  }
  const r = await sub;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^t1200\.ev\.public\t\{"n":\d+\}\nt1200\.ev\.public\t\{"n":\d+\}\n$/);
});

tj('a guest submits as itself, sees every job, and acts on its own jobs only', () => {
  const sub = as(ALICE, ['submit', '--urgency=0', 'true']);
  assert.is(sub.code, 0, sub.stderr);
  const id = sub.stdout.trim();
  const listed = as(BOB, ['jobs', '-A', '-n', '-o', '{id.f58} {username} {status_abbrev}']);
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, `${id} ${ALICE} S`);
  const ev = as(OWNER, ['job', 'eventlog', id]);
  assert.match(ev.stdout, `userid=${uidOf(ALICE)}`);

  const cancel = as(BOB, ['cancel', id]);
  assert.is.not(cancel.code, 0);
  assert.match(cancel.stderr, 'guests can only raise exceptions on their own jobs', cancel.stderr + cancel.stdout);
  const urg = as(BOB, ['job', 'urgency', id, '5']);
  assert.is.not(urg.code, 0);
  assert.match(urg.stderr, 'guests can only adjust urgency of their own jobs', urg.stderr + urg.stdout);
  const upd = as(BOB, ['update', id, 'duration=1m']);
  assert.is.not(upd.code, 0);
  assert.match(upd.stderr, 'guests may only update their own jobs', upd.stderr + upd.stdout);
  for (const who of ['all', String(uidOf(ALICE))]) {
    const cancelAll = as(BOB, ['cancel', '--all', `--user=${who}`]);
    assert.is.not(cancelAll.code, 0);
    assert.match(cancelAll.stderr, 'guests can only raise exceptions on their own jobs', cancelAll.stderr + cancelAll.stdout);
  }
  // bob's own --all touches only bob's jobs: none
  const mineAll = as(BOB, ['cancel', '--all']);
  assert.match(mineAll.stderr, 'Matched 0 jobs', mineAll.stderr);
  const high = as(ALICE, ['job', 'urgency', id, '20']);
  assert.is.not(high.code, 0);
  assert.match(high.stderr, 'guests can only adjust urgency <= 16', high.stderr + high.stdout);
  assert.match(as(BOB, ['jobs', '-A', '-n', '-o', '{id.f58} {status_abbrev}']).stdout, `${id} S`);

  const ownUpdate = as(ALICE, ['update', id, 'duration=1m']);
  assert.is(ownUpdate.code, 0, ownUpdate.stderr);
  const own = as(ALICE, ['cancel', id]);
  assert.is(own.code, 0, own.stderr);
  assert.match(as(ALICE, ['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout, `${id} CA`);
});

t('a guest publishes events (its own private one reaches it); one with an effect is ignored (job-exception does not kill the owner`s job)', async () => {
  const pub = as(ALICE, ['event', 'pub', '-l', 't1200.guest.pub', '{"a":1}']);
  assert.is(pub.code, 0, pub.stderr);
  const priv = as(ALICE, ['event', 'pub', '-p', '-l', 't1200.guest.private']);
  assert.is(priv.code, 0, priv.stderr);
  const id = as(OWNER, ['submit', 'sleep', '120']).stdout.trim();
  const w = as(OWNER, ['job', 'wait-event', '-t', '30', id, 'start']);
  assert.is(w.code, 0, w.stderr);
  const dec = as(OWNER, ['job', 'id', '--to=dec', id]).stdout.trim();
  const forged = as(ALICE, ['event', 'pub', 'job-exception', `{"id":${dec},"type":"cancel","severity":0}`]);
  assert.is(forged.code, 0, forged.stderr);
  // job-exec has seen it once it says so (log-level 7): the job is still running
  const uid = uidOf(ALICE);
  await until(() => run(FLUX, ['dmesg'], { env: { FLUX_URI: uri } }).stdout.includes(`job-exception: ignored: published by userid ${uid}, not the instance owner`), 'job-exec ignoring the guest`s job-exception');
  // the credentials a broker forwarding another rank's event.pub names are heeded only from the owner
  const pub2 = run('setpriv', [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--init-groups', process.execPath, '-e', FORGED_PUB, path.join(ROOT, 'dist', 'cli', 'api', 'client.js'), dec], {
    env: { FLUX_URI: uri },
    cwd: tmp.dir,
  });
  assert.is(pub2.stdout.trim(), 'published', pub2.stderr);
  const ignored = () => run(FLUX, ['dmesg'], { env: { FLUX_URI: uri } }).stdout.split(`job-exception: ignored: published by userid ${uid},`).length - 1;
  await until(() => ignored() === 2, 'job-exec ignoring the guest`s job-exception naming the owner`s credentials');
  assert.match(as(OWNER, ['jobs', '-n', '-o', '{id.f58} {status_abbrev}', id]).stdout, `${id} R`);
  assert.is(as(OWNER, ['cancel', id]).code, 0);
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
});

t('a guest cannot signal or cancel the owner`s running job', () => {
  const id = as(OWNER, ['submit', 'sleep', '120']).stdout.trim();
  const w = as(OWNER, ['job', 'wait-event', '-t', '30', id, 'start']);
  assert.is(w.code, 0, w.stderr);
  const kill = as(BOB, ['job', 'kill', id]);
  assert.is.not(kill.code, 0);
  assert.match(kill.stderr, 'guests can only kill their own jobs', kill.stderr);
  const cancel = as(BOB, ['cancel', id]);
  assert.match(cancel.stderr, 'guests can only raise exceptions on their own jobs', cancel.stderr);
  assert.match(as(BOB, ['jobs', '-A', '-n', '-o', '{id.f58} {status_abbrev}']).stdout, `${id} R`);
  assert.is(as(OWNER, ['cancel', id]).code, 0);
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
});

t('a running job`s namespace job-<id> belongs to its user: another guest gets EPERM, the owner everything', () => {
  const id = as(OWNER, ['submit', 'sleep', '120']).stdout.trim();
  try {
    assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
    const ns = `job-${as(OWNER, ['job', 'id', '--to=dec', id]).stdout.trim()}`;
    assert.is(as(OWNER, ['kvs', 'put', '-N', ns, 'k=v']).code, 0);
    const get = as(BOB, ['kvs', 'get', '-N', ns, 'k']);
    assert.equal([get.code, get.stderr], [1, 'flux-kvs: k: Operation not permitted\n']);
    const put = as(BOB, ['kvs', 'put', '-N', ns, 'k=bob']);
    assert.equal([put.code, put.stderr], [1, `flux-kvs: k: kvs.commit: namespace ${ns} belongs to uid ${uidOf(OWNER)}\n`]);
    assert.is(as(OWNER, ['kvs', 'get', '-N', ns, 'k']).stdout, 'v\n');
  } finally {
    as(OWNER, ['cancel', id]);
    as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']);
  }
});

tj('a guest reads the eventlogs, jobspec and output of its own jobs only, and no other kvs key', () => {
  const id = as(ALICE, ['submit', '--urgency=0', 'echo', 'hi']).stdout.trim();
  const ev = as(ALICE, ['job', 'eventlog', id]);
  assert.is(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, `submit userid=${uidOf(ALICE)}`);
  const info = as(ALICE, ['job', 'info', id, 'jobspec']);
  assert.is(info.code, 0, info.stderr);
  assert.match(info.stdout, '"echo"');
  const wait = as(ALICE, ['job', 'wait-event', '-t', '10', id, 'priority']);
  assert.is(wait.code, 0, wait.stderr);
  // bob may list alice's job, not read it
  for (const args of [['job', 'eventlog', id], ['job', 'info', id, 'jobspec'], ['job', 'wait-event', '-t', '5', id, 'submit']]) {
    const r = as(BOB, args);
    assert.is.not(r.code, 0, args.join(' '));
    assert.match(r.stderr, 'Operation not permitted', `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.trim().split('\n').length === 1, `${args.join(' ')}: ${r.stderr}`);
  }
  const att = as(BOB, ['job', 'attach', id]);
  assert.equal([att.code, att.stderr], [1, `flux-job: Failed to attach to ${id}: Operation not permitted (guests can only follow their own jobs)\n`]);
  const kvs = as(ALICE, ['kvs', 'get', 'resource.R']);
  assert.equal([kvs.code, kvs.stderr], [1, 'flux-kvs: resource.R: Operation not permitted\n']);
  const put = as(ALICE, ['kvs', 'put', 'x=1']);
  assert.is.not(put.code, 0);
  assert.equal([put.code, put.stderr], [1, 'flux-kvs: x: kvs.commit: Request requires owner credentials\n']);
  assert.is(as(ALICE, ['cancel', id]).code, 0);
});

t('flux archive: archives are the owner`s; a guest gets EPERM in one line', () => {
  fs.writeFileSync(path.join(tmp.dir, 'staged.txt'), 'staged\n', { mode: 0o644 });
  assert.equal(as(OWNER, ['archive', 'create', '-n', 'owned', 'staged.txt']).code, 0);
  assert.is(as(OWNER, ['archive', 'list', '-n', 'owned']).stdout, 'staged.txt\n');
  const cases: Array<[string[], string]> = [
    [['archive', 'list', '-n', 'owned'], 'flux-archive: KVS lookup archive.owned: Operation not permitted\n'],
    [['archive', 'extract', '-n', 'owned', '-t'], 'flux-archive: KVS lookup archive.owned: Operation not permitted\n'],
    [['archive', 'create', '-n', 'mine', 'staged.txt'], 'flux-archive: KVS lookup archive.mine: Operation not permitted\n'],
    [['archive', 'remove', '-n', 'owned'], 'flux-archive: unlink archive.owned,archive.owned_blobs: Operation not permitted\n'],
  ];
  for (const [args, err] of cases) {
    const r = as(ALICE, args);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', err], args.join(' '));
  }
  assert.is(as(OWNER, ['archive', 'remove', '-n', 'owned']).code, 0);
});

t('a kvs namespace made with -o UID is that guest`s to use; other guests get EPERM; the owner may do everything', () => {
  const alice = String(uidOf(ALICE));
  assert.is(as(OWNER, ['kvs', 'namespace', 'create', '-o', alice, 'alice-ns']).code, 0);
  assert.is(as(OWNER, ['kvs', 'namespace', 'list']).stdout.split('\n')[1], `${'alice-ns'.padEnd(36)} ${alice.padStart(10)} 0x00000000`);
  // its owner reads and writes it, with -N or FLUX_KVS_NAMESPACE
  assert.is(as(ALICE, ['kvs', 'put', '-N', 'alice-ns', 'k=v', 'd.x=1']).code, 0);
  assert.is(as(ALICE, ['kvs', 'get', '-N', 'alice-ns', 'k']).stdout, 'v\n');
  assert.is(as(ALICE, ['kvs', 'ls', '-N', 'alice-ns']).stdout, 'd    k\n');
  assert.is(as(ALICE, ['kvs', 'eventlog', 'append', '-N', 'alice-ns', 'log', 'hello']).code, 0);
  assert.is(as(ALICE, ['kvs', 'copy', '-S', 'alice-ns', '-D', 'alice-ns', 'd', 'd2']).code, 0);
  assert.is(as(ALICE, ['kvs', 'unlink', '-N', 'alice-ns', '-R', 'd2']).code, 0);
  // four commands, four versions (the put of two keys is one transaction)
  assert.equal([as(ALICE, ['kvs', 'version', '-N', 'alice-ns']).stdout, as(ALICE, ['kvs', 'getroot', '-N', 'alice-ns', '-o']).stdout], ['4\n', `${alice}\n`]);
  const env = run('setpriv', [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--init-groups', FLUX, 'kvs', 'get', 'k'], { env: { FLUX_URI: uri, FLUX_KVS_NAMESPACE: 'alice-ns', HOME: tmp.dir }, cwd: tmp.dir });
  assert.equal([env.code, env.stdout], [0, 'v\n'], env.stderr);
  // another guest: refused in one line
  const get = as(BOB, ['kvs', 'get', '-N', 'alice-ns', 'k']);
  assert.equal([get.code, get.stderr], [1, 'flux-kvs: k: Operation not permitted\n']);
  const put = as(BOB, ['kvs', 'put', '-N', 'alice-ns', 'k=bob']);
  assert.equal([put.code, put.stderr], [1, `flux-kvs: k: kvs.commit: namespace alice-ns belongs to uid ${alice}\n`]);
  assert.equal(as(BOB, ['kvs', 'version', '-N', 'alice-ns']).stderr, 'flux-kvs: flux_kvs_get_version: Operation not permitted\n');
  // the instance owner: everything, in every namespace
  assert.is(as(OWNER, ['kvs', 'get', '-N', 'alice-ns', 'k']).stdout, 'v\n');
  assert.is(as(OWNER, ['kvs', 'put', '-N', 'alice-ns', 'k=owner']).code, 0);
  assert.is(as(ALICE, ['kvs', 'get', '-N', 'alice-ns', 'k']).stdout, 'owner\n');
  // guests do not manage namespaces, nor see the primary namespace's version (as Flux)
  const list = as(ALICE, ['kvs', 'namespace', 'list']);
  assert.equal([list.code, list.stderr], [1, 'flux-kvs: flux_rpc_get_unpack: Operation not permitted\n']);
  assert.is(as(ALICE, ['kvs', 'namespace', 'create', 'mine']).stderr, 'flux-kvs: mine: Operation not permitted\n');
  assert.is(as(ALICE, ['kvs', 'namespace', 'remove', 'alice-ns']).stderr, 'flux-kvs: alice-ns: Operation not permitted\n');
  assert.is(as(ALICE, ['kvs', 'version']).stderr, 'flux-kvs: flux_kvs_get_version: Operation not permitted\n');
  assert.is(as(OWNER, ['kvs', 'namespace', 'remove', 'alice-ns']).code, 0);
  assert.is(as(ALICE, ['kvs', 'get', '-N', 'alice-ns', 'k']).stderr, 'flux-kvs: k: Operation not supported\n');
});

tj('the owner may cancel a guest`s job', () => {
  const id = as(ALICE, ['submit', '--urgency=0', 'true']).stdout.trim();
  const r = as(OWNER, ['cancel', id]);
  assert.is(r.code, 0, r.stderr);
  const l = as(BOB, ['jobs', '-A', '-a', '-n', '-o', '{id.f58} {status_abbrev}']);
  assert.match(l.stdout, `${id} CA`, l.stdout + l.stderr);
});

/** ARGS of each submitting command, for a job running `id -un` */
const SUBMITTING: Array<[string, string[]]> = [
  ['flux-run: ERROR: ', ['run', 'id', '-un']],
  ['[Errno 1] ', ['submit', 'id', '-un']],
  ['flux-batch: ERROR: ', ['batch', '-n1', '--wrap', 'id', '-un']],
  ['flux-alloc: ERROR: ', ['alloc', '-n1', 'id', '-un']],
  ['[Errno 1] ', ['bulksubmit', 'id', '{}', ':::', '-un']],
];

/** each submitting command as `user` fails with exit 1 and this one line (after its prefix); no job was made */
function refused(user: string, line: string, socket?: string): void {
  const before = as(OWNER, ['jobs', '-A', '-a', '-n', '-o', '{id}']).stdout;
  for (const [prefix, args] of SUBMITTING) {
    const r = as(user, args, uri, socket);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', `${prefix}${line}\n`], args.join(' '));
  }
  assert.is(as(OWNER, ['jobs', '-A', '-a', '-n', '-o', '{id}']).stdout, before);
}

t('a guest`s job that could not run is refused at submission: unsigned (no munged) and novalidate, in one line', () => {
  refused(ALICE, 'only instance owner can use sign-type=none: the jobspec could not be signed: munge: Failed to access "/nonexistent/munge.socket": No such file or directory (Did you start munged?)', '/nonexistent/munge.socket');
  const nv = as(ALICE, ['run', '--flags=novalidate', 'id', '-un']);
  assert.equal([nv.code, nv.stderr], [1, 'flux-run: ERROR: only the instance owner can submit with FLUX_JOB_NOVALIDATE\n']);
  // the owner's own jobs are neither signed nor refused
  const mine = as(OWNER, ['run', '--flags=novalidate', 'id', '-un'], uri, '/nonexistent/munge.socket');
  assert.equal([mine.code, mine.stdout, mine.stderr], [0, `${OWNER}\n`, '']);
});

tj('without [exec] imp a guest`s signed job is refused at submission, naming the key; one accepted before ends with one exception', () => {
  // held while the IMP is configured, then the owner removes it
  const id = as(ALICE, ['submit', '--urgency=0', 'id', '-un']).stdout.trim();
  assert.match(id, /^ƒ\w+$/);
  fs.writeFileSync(path.join(tmp.dir, 'guests', 'access.toml'), GUESTS_CONF);
  const reload = as(OWNER, ['config', 'reload']);
  assert.is(reload.code, 0, reload.stderr);
  refused(ALICE, `this instance cannot run jobs of uid ${uidOf(ALICE)}, only its owner's: a guest's job runs through the IMP, which is not configured ([exec] imp, flux-config-exec(5))`);
  // job-exec refuses the held one too: it ends with one exception
  const release = as(ALICE, ['job', 'urgency', id, '16']);
  assert.is(release.code, 0, release.stderr);
  const w = as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']);
  assert.is(w.code, 0, w.stderr);
  const ev = as(OWNER, ['job', 'eventlog', id]).stdout;
  assert.match(ev, /exception type="exec" .*note="job-exec: cannot run a job of uid \d+ in an instance owned by uid \d+: running jobs as their submitter needs the IMP \(\[exec\] imp, flux-imp\(8\)\)"/, ev);
  assert.not.match(ev, 'finish');
  // the owner's own jobs run as before
  const mine = as(OWNER, ['run', 'id', '-un']);
  assert.is(mine.code, 0, mine.stderr);
  assert.is(mine.stdout.trim(), OWNER);
  fs.writeFileSync(path.join(tmp.dir, 'guests', 'access.toml'), `${GUESTS_CONF}[exec]\nimp = "${FAKE_IMP}"\n`);
  assert.is(as(OWNER, ['config', 'reload']).code, 0);
});

t('the broker command line of docs/examples/flux.service serves guests until the owner shuts it down', async () => {
  const unit = fs.readFileSync(path.join(ROOT, 'docs', 'examples', 'flux.service'), 'utf8');
  assert.match(unit, /ExecStart=\/opt\/flux-ts\/bin\/flux broker \\\n\s+--config-path=\/etc\/flux\/system\/conf.d \\\n\s+-Srundir=\/run\/flux \\\n\s+-Sstatedir=\/var\/lib\/flux \\\n\s+-Sbroker.rc2_none=1 \\\n\s+-Sbroker.quorum=1\n/);
  const run_ = path.join(tmp.dir, 'run');
  const state = path.join(tmp.dir, 'state');
  fs.mkdirSync(run_, { mode: 0o755 });
  fs.mkdirSync(state, { mode: 0o700 });
  for (const d of [run_, state]) fs.chownSync(d, uidOf(OWNER), uidOf(OWNER));
  const confDir = conf('system', '[access]\nallow-guest-user = true\n');
  const proc = spawn('setpriv', [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', FLUX, 'broker', `--config-path=${confDir}`, `-Srundir=${run_}`, `-Sstatedir=${state}`, '-Sbroker.rc2_none=1', '-Sbroker.quorum=1'], {
    env: { ...process.env, HOME: tmp.dir, TMPDIR: tmp.dir },
    cwd: tmp.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const sysUri = `local://${run_}/local-0`;
  live.push({ proc, uri: sysUri });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  await until(() => as(ALICE, ['uptime'], sysUri).code === 0 || proc.exitCode !== null, 'the system broker serves alice');
  const up = as(ALICE, ['uptime'], sysUri);
  assert.match(up.stdout, `owner ${OWNER},  depth 0,  size 1`, err);
  assert.is((fs.statSync(run_).mode & 0o777).toString(8), '755');
  assert.is((fs.statSync(state).mode & 0o777).toString(8), '700');
  const no = as(ALICE, ['shutdown'], sysUri);
  assert.is.not(no.code, 0);
  const bye = as(OWNER, ['shutdown'], sysUri);
  assert.is(bye.code, 0, bye.stderr);
  assert.is(await exited, 0, err);
});

tj('private-mode: a guest lists and waits on its own jobs only; another user`s job is unknown to it; the owner sees all', async () => {
  const priv = await startAsOwner(conf('private', `${GUESTS_CONF}private-mode = true\n[exec]\nimp = "${FAKE_IMP}"\n`));
  const mine = as(ALICE, ['submit', '--urgency=0', '--job-name=alices', 'true'], priv);
  assert.is(mine.code, 0, mine.stderr);
  const id = mine.stdout.trim();
  const theirs = as(BOB, ['submit', '--urgency=0', '--job-name=bobs', 'true'], priv);
  assert.is(theirs.code, 0, theirs.stderr);
  const list = (user: string, who = '-A') => as(user, ['jobs', who, '-n', '-o', '{name}'], priv);
  assert.is(list(BOB).stdout, 'bobs\n');
  assert.is(list(ALICE).stdout, 'alices\n');
  assert.is(list(BOB, `--user=${ALICE}`).stdout, '');
  assert.is(list(OWNER).stdout.split('\n').filter(Boolean).sort().join(' '), 'alices bobs');
  const named = as(BOB, ['jobs', id], priv);
  assert.equal([named.code, named.stderr], [1, `JobID ${id} unknown\n`]);
  const status = as(BOB, ['job', 'status', id], priv);
  assert.equal([status.code, status.stderr], [1, `flux-job: ${id}: No such job\n`]);
  assert.is(as(BOB, ['jobs', '--stats-only', '-A'], priv).code, 0, 'bob counts its own active job');
  // the job-exception event of alice's canceled job does not reach bob's subscription (events are in order: his marker after it comes)
  const sub = spawn('setpriv', [`--reuid=${BOB}`, `--regid=${BOB}`, '--init-groups', FLUX, 'event', 'sub', 'job-'], {
    env: { ...process.env, FLUX_URI: priv, HOME: tmp.dir, TMPDIR: tmp.dir },
    cwd: tmp.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  sub.stdout!.on('data', (d) => (seen += d));
  try {
    await until(() => (as(BOB, ['event', 'pub', 'job-marker'], priv), seen.includes('job-marker')), 'bob subscribed');
    assert.is(as(OWNER, ['cancel', id], priv).code, 0);
    assert.is(as(BOB, ['event', 'pub', 'job-end'], priv).code, 0);
    await until(() => seen.includes('job-end'), 'the end marker');
    assert.not.match(seen, 'job-exception', seen);
  } finally {
    sub.kill('SIGKILL');
  }
  assert.is(as(OWNER, ['cancel', '--all', '--user=all'], priv).code, 0);
});

tj('[exec.testexec] allow-guests: a guest`s test job is simulated only with it; without it, it runs for real (here through a missing IMP: it fails)', async () => {
  const TEST = ['--setattr=system.exec.test.run_duration=0.1s', 'true'];
  const real = as(ALICE, ['run', ...TEST]);
  assert.is.not(real.code, 0, 'ran for real through the IMP, which is missing here');
  const sim = await startAsOwner(conf('testexec', `${GUESTS_CONF}[exec]\nimp = "${FAKE_IMP}"\n[exec.testexec]\nallow-guests = true\n`));
  const r = as(ALICE, ['run', ...TEST], sim);
  assert.equal([r.code, r.stderr], [0, '']);
  assert.match(as(ALICE, ['jobs', '-a', '-n', '-o', '{result}'], sim).stdout, /^COMPLETED$/m);
});

t('a follower`s heartbeat watch heeds only the owner`s pulse: a guest`s heartbeat.pulse does not count', async () => {
  const two = await startAsOwner(conf('pulse', `${GUESTS_CONF}[heartbeat]\nperiod = "1h"\n`), ['--test-size=2']);
  const count = (): number => (JSON.parse(as(OWNER, ['exec', '-r', '1', 'flux', 'module', 'stats', 'heartbeat'], two).stdout || '{"count":-1}') as { count: number }).count;
  // events reach rank 1 in order: once the owner's pulse is counted, every earlier one was seen
  assert.is(as(OWNER, ['event', 'pub', 'heartbeat.pulse'], two).code, 0);
  await until(() => count() >= 1, 'rank 1 to count the owner`s pulse');
  const base = count();
  assert.is(as(BOB, ['event', 'pub', 'heartbeat.pulse'], two).code, 0);
  assert.is(as(OWNER, ['event', 'pub', 'heartbeat.pulse'], two).code, 0);
  await until(() => count() > base, 'rank 1 to count the owner`s next pulse');
  assert.is(count(), base + 1, 'the guest`s pulse was not counted');
});

t('without allow-guest-user others are refused at the handshake (root too, without allow-root-owner)', async () => {
  const closed = await startAsOwner(conf('closed', '# no [access]\n'));
  const sock = closed.slice('local://'.length);
  assert.is((fs.statSync(path.dirname(sock)).mode & 0o777).toString(8), '700');
  assert.is((fs.statSync(sock).mode & 0o777).toString(8), '600');
  const r = run(FLUX, ['uptime'], { env: { FLUX_URI: closed } });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'refused: Operation not permitted');
  assert.is(as(OWNER, ['uptime'], closed).code, 0);
});

test.run();

