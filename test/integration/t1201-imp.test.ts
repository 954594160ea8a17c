/**
 * The IMP (issue 12, part 2; flux-imp(8), ADR 0017): installed setuid root by
 * `npm run install-imp` into a private prefix, named by `[exec] imp` in an
 * instance started by an unprivileged owner with guests allowed. A guest's job
 * runs as the guest (uid, groups, HOME, its environment and cwd; the files it
 * writes are the guest's); cancel and time limits reach its tasks through
 * `flux-imp kill`; another guest cannot cancel it. The guest's client signs
 * its jobspec with MUNGE (a munged of the test's own, on a private socket and
 * key); the instance stores the signed J; the IMP verifies it. Each refusal
 * (of the IMP, or job-ingest's for a J of another user or instance) is one
 * line. Runs only as root (it creates the users fluxtst-impowner,
 * fluxtst-impalice, fluxtst-impbob and the group fluxtst-impgrp, and removes
 * them after, on failure too).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { signingInput, type JHeader } from '../../lib/signed-jobspec';
import { FLUX, ROOT, run, tmpdir, type Result } from '../helpers/flux';
import { until } from '../helpers/wait';
import { installImp, startMunged, type Munged } from '../helpers/imp';

const asRoot = process.getuid?.() === 0;
const native = path.join(ROOT, 'dist', 'native');
const built = fs.existsSync(path.join(native, 'flux-ts.node')) && fs.existsSync(path.join(native, 'flux-imp'));
const haveMunged = run('sh', ['-c', 'command -v munged && command -v munge']).code === 0;
const usable = asRoot && built && haveMunged;
if (!usable) {
  const why = !asRoot ? 'needs root (creates users, installs a setuid program)' : !built ? 'flux-imp is not built (it needs libmunge-dev)' : 'needs munge and munged (apt-get install munge)';
  console.log(`t1201: SKIP: ${why}`);
}

const OWNER = 'fluxtst-impowner';
const ALICE = 'fluxtst-impalice';
const BOB = 'fluxtst-impbob';
const GROUP = 'fluxtst-impgrp';
const USERS = [OWNER, ALICE, BOB];
const tmp = tmpdir();
const prefix = path.join(tmp.dir, 'prefix');
const IMP = path.join(prefix, 'libexec', 'flux-ts', 'flux-imp');
const CONF = path.join(prefix, 'etc', 'flux-ts', 'imp.conf');
const aliceDir = path.join(tmp.dir, 'alice');
const mungeDir = path.join(tmp.dir, 'munge');
const SOCK = path.join(mungeDir, 'socket');
let proc: ChildProcess | undefined;
let munged: Munged | undefined;
let uri = '';

// whatever happens, the instance does not outlive the test process
process.on('exit', () => {
  for (const p of [proc, munged]) {
    try {
      if (p?.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** the broker's hostname, as the shell's notes name it */
const HOST = os.hostname();
const uidOf = (user: string) => Number(run('id', ['-u', user]).stdout.trim());

/** ARGS as `user` (setpriv), in `cwd` */
function asUser(user: string, cmd: string, args: readonly string[], cwd = tmp.dir, env: Record<string, string> = {}): Result {
  return run('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', cmd, ...args], {
    env: { FLUX_URI: uri, HOME: tmp.dir, TMPDIR: tmp.dir, FLUX_MUNGE_SOCKET: SOCK, ...env },
    cwd,
  });
}

const as = (user: string, args: readonly string[], cwd?: string, env?: Record<string, string>) => asUser(user, FLUX, args, cwd, env);

function removeUsers(): void {
  for (const u of USERS) run('userdel', [u]);
  run('groupdel', [GROUP]);
}

/** the job's output, read by the owner once it is clean */
function outputOf(id: string): string {
  const w = as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']);
  assert.is(w.code, 0, w.stderr);
  return as(OWNER, ['job', 'attach', id]).stdout;
}

function eventlog(id: string): string {
  return as(OWNER, ['job', 'eventlog', id]).stdout;
}

test.before(async () => {
  if (!usable) return;
  removeUsers();
  run('groupadd', [GROUP]);
  for (const u of USERS) {
    const r = run('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', u]);
    if (r.code !== 0) throw new Error(`useradd ${u}: ${r.stderr}`);
  }
  run('usermod', ['-aG', GROUP, ALICE]);
  fs.chmodSync(tmp.dir, 0o755);
  munged = await startMunged(mungeDir);
  installImp(prefix, OWNER, munged.socket);
  // alice's alone: the IMP enters it as alice
  fs.mkdirSync(aliceDir, { mode: 0o700 });
  fs.chownSync(aliceDir, uidOf(ALICE), uidOf(ALICE));
  const confDir = path.join(tmp.dir, 'conf');
  fs.mkdirSync(confDir, { mode: 0o755 });
  fs.writeFileSync(path.join(confDir, 'instance.toml'), `[access]\nallow-guest-user = true\nallow-root-owner = true\n[exec]\nimp = "${IMP}"\n`, { mode: 0o644 });
  const home = path.join(tmp.dir, 'owner');
  fs.mkdirSync(home, { mode: 0o755 });
  fs.chownSync(home, uidOf(OWNER), uidOf(OWNER));
  proc = spawn('setpriv', [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', FLUX, 'start', '-s', '2', '-c', confDir, 'sh', '-c', 'echo "$FLUX_URI"; exec cat >/dev/null'], {
    env: { ...process.env, HOME: home, TMPDIR: home, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    cwd: home,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  proc.stdout!.on('data', (d) => (out += d));
  await until(() => out.includes('\n') || proc!.exitCode !== null, 'the instance starts');
  if (!out.includes('\n')) throw new Error(`flux start: ${err}`);
  uri = out.trim();
});

test.after(async () => {
  try {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc!.once('exit', r));
      proc.stdin?.end();
      const t = setTimeout(() => {
        try {
          process.kill(-proc!.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 20_000);
      await gone;
      clearTimeout(t);
    }
  } finally {
    munged?.stop();
    if (usable) {
      for (const u of USERS) run('pkill', ['-KILL', '-u', u]);
      removeUsers();
    }
    tmp.cleanup();
  }
});

const t = usable ? test : test.skip;

t('install-imp: the IMP is setuid root, its config root-owned', () => {
  const st = fs.statSync(IMP);
  assert.is(st.uid, 0);
  assert.is((st.mode & 0o7777).toString(8), '4755');
  const c = fs.statSync(CONF);
  assert.is(c.uid, 0);
  assert.is((c.mode & 0o777).toString(8), '644');
  assert.match(fs.readFileSync(CONF, 'utf8'), `allowed-users = ${OWNER}\n`);
  const notRoot = asUser(ALICE, process.execPath, [path.join(ROOT, 'scripts', 'install-imp.js'), `--prefix=${path.join(tmp.dir, 'nope')}`, `--owner=${ALICE}`]);
  assert.is(notRoot.code, 1);
  assert.is(notRoot.stderr, 'install-imp: must run as root (it installs a setuid-root program)\n');
});

t('a guest`s job runs as the guest: uid, groups, HOME/USER, its environment and cwd; its files are the guest`s', () => {
  const script = 'id -u; id -G; echo "$HOME $USER $LOGNAME $MYVAR"; pwd; echo hi > made-by-job';
  const sub = as(ALICE, ['submit', 'sh', '-c', script], aliceDir, { MYVAR: 'from-alice' });
  assert.is(sub.code, 0, sub.stderr);
  const id = sub.stdout.trim();
  const out = outputOf(id).split('\n');
  const ev = eventlog(id);
  assert.match(ev, 'finish status=0', ev);
  assert.is(out[0], String(uidOf(ALICE)), out.join('\n'));
  const groups = run('getent', ['group', GROUP]).stdout.split(':')[2];
  assert.ok(out[1]!.split(' ').includes(groups!), `groups ${out[1]} lack ${GROUP} (${groups})`);
  assert.is(out[2], `/nonexistent ${ALICE} ${ALICE} from-alice`);
  assert.is(out[3], aliceDir);
  const made = fs.statSync(path.join(aliceDir, 'made-by-job'));
  assert.is(made.uid, uidOf(ALICE));
  // the owner's own jobs run as the owner, without the IMP
  const mine = as(OWNER, ['run', 'id', '-un']);
  assert.is(mine.stdout.trim(), OWNER, mine.stderr);
});

t('flux run by a guest prints what its job, run as the guest, writes', () => {
  const r = as(ALICE, ['run', '-N2', '-n2', '--label-io', 'sh', '-c', 'echo $(id -un) $(flux getattr rank)'], aliceDir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), [`0: ${ALICE} 0`, `1: ${ALICE} 1`], r.stdout);
  const fail = as(ALICE, ['run', 'sh', '-c', 'exit 3'], aliceDir);
  assert.is(fail.code, 3, fail.stderr);
});

t('every broker of a guest`s job runs its tasks as the guest (each through its own [exec] imp)', () => {
  const id = as(ALICE, ['submit', '-N2', '-n2', 'sh', '-c', 'echo $(id -u) $(flux getattr rank)'], aliceDir).stdout.trim();
  const out = outputOf(id).split('\n').filter(Boolean).sort();
  assert.equal(out, [`${uidOf(ALICE)} 0`, `${uidOf(ALICE)} 1`], out.join('\n'));
});

t('flux cancel reaches a guest`s tasks (through flux-imp kill); another guest cannot cancel', async () => {
  const id = as(ALICE, ['submit', 'sleep', '300'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
  await until(() => run('pgrep', ['-u', ALICE, '-x', 'sleep']).code === 0, 'alice`s sleep runs');
  const bob = as(BOB, ['cancel', id]);
  assert.is.not(bob.code, 0);
  assert.match(bob.stderr, 'guests can only raise exceptions on their own jobs');
  const c = as(ALICE, ['cancel', id]);
  assert.is(c.code, 0, c.stderr);
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  assert.is(run('pgrep', ['-u', ALICE, '-x', 'sleep']).code, 1, 'the sleep outlived its job');
  assert.match(as(ALICE, ['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout, `${id} CA`);
});

t('a time limit reaches a guest`s tasks', () => {
  const id = as(ALICE, ['submit', '-t', '2s', 'sleep', '300'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '40', id, 'clean']).code, 0);
  assert.match(eventlog(id), 'type="timeout"');
  assert.is(run('pgrep', ['-u', ALICE, '-x', 'sleep']).code, 1, 'the sleep outlived its job');
});

t('the IMP refuses, in one line: another caller, uid 0, a signal to root`s processes, a bad signature', () => {
  const cases: Array<[string, string[], string]> = [
    [BOB, ['exec', String(uidOf(ALICE)), '-', '/', '3', '-', '-', '-', 'true'], `flux-imp: uid ${uidOf(BOB)} may not use the IMP (not in allowed-users)\n`],
    [OWNER, ['exec', '0', '-', '/', '3', '-', '-', '-', 'true'], 'flux-imp: running a job as uid 0 is not allowed (allow-root is false)\n'],
    [OWNER, ['kill', '0', '1'], 'flux-imp: PID: 1 is not a process or a process group\n'],
    [OWNER, ['kill', '0', String(process.pid)], `flux-imp: process ${process.pid} belongs to root: not signalled (allow-root is false)\n`],
    [OWNER, ['exec', String(uidOf(ALICE)), 'a.b.MUNGE:not-a-credential:', '/', '3', '-', '-', '-', 'true'], ''],
  ];
  for (const [user, args, line] of cases) {
    const r = asUser(user, IMP, args);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    if (line) assert.is(r.stderr, line);
    else assert.match(r.stderr, /^flux-imp: the job's signature does not verify: .+\n$/);
  }
  // a directory above the config that others may write (not sticky)
  const etc = path.join(prefix, 'etc');
  fs.chmodSync(etc, 0o777);
  try {
    assert.is(asUser(OWNER, IMP, ['kill', '0', '-99999']).stderr, `flux-imp: ${etc}: writable by others than root\n`);
  } finally {
    fs.chmodSync(etc, 0o755);
  }
  // and one run as the owner, not setuid: it says so
  const plain = asUser(OWNER, path.join(native, 'flux-imp'), ['kill', '0', '-99999']);
  assert.is(plain.stderr, 'flux-imp: not installed setuid root (npm run install-imp)\n');
});

/** HEADER.PAYLOAD signed by `user` with the test's munged */
function signAs(user: string, header: JHeader, jobspec: unknown): string {
  const input = signingInput(header, jobspec);
  const r = run('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', 'munge', '--socket', SOCK], { input });
  assert.is(r.code, 0, r.stderr);
  return `${input}.${r.stdout.trim()}`;
}

/** job-ingest.submit {jobspec, J} as `user`; prints the id or `error: MESSAGE` */
const SUBMIT_J = `
const { Client } = require(process.argv[1]);
Client.connect().then((c) => c.rpc('job-ingest.submit', { jobspec: JSON.parse(process.argv[2]), J: process.argv[3] }))
  .then((r) => console.log(r.id), (e) => console.log('error: ' + e.message)).finally(() => process.exit(0));
`;

function submitJ(user: string, jobspec: unknown, J: string): string {
  const client = path.join(ROOT, 'dist', 'cli', 'api', 'client.js');
  const r = asUser(user, process.execPath, ['-e', SUBMIT_J, client, JSON.stringify(jobspec), J], aliceDir);
  return r.stdout.trim() || r.stderr;
}

t('a guest`s jobspec is signed: the instance stores J, the signed form', () => {
  const id = as(ALICE, ['submit', 'true'], aliceDir).stdout.trim();
  outputOf(id);
  assert.match(eventlog(id), 'finish status=0');
  const J = as(OWNER, ['job', 'info', id, 'J']).stdout.trim();
  const [h, , cred] = J.split('.');
  assert.ok(cred?.startsWith('MUNGE:'), J);
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as JHeader;
  assert.equal(header, { version: 1, mechanism: 'munge', userid: uidOf(ALICE), owner: uidOf(OWNER), instance: as(OWNER, ['getattr', 'broker.uuid']).stdout.trim() });
  // the owner's own jobs are not signed: their J is the jobspec
  const mine = as(OWNER, ['submit', 'true']).stdout.trim();
  assert.match(as(OWNER, ['job', 'info', mine, 'J']).stdout, /^\{/);
});

t('a J altered after signing, replayed by another user, or signed for another instance is refused in one line', () => {
  const jobspec = JSON.parse(as(ALICE, ['submit', '--dry-run', 'true'], aliceDir).stdout) as { tasks: Array<{ command: string[] }> };
  const instance = as(OWNER, ['getattr', 'broker.uuid']).stdout.trim();
  const header: JHeader = { version: 1, mechanism: 'munge', userid: uidOf(ALICE), owner: uidOf(OWNER), instance };
  const good = signAs(ALICE, header, jobspec);
  // altered: the payload is another jobspec, the credential the one alice made
  const evil = { ...jobspec, tasks: [{ ...jobspec.tasks[0]!, command: ['sh', '-c', 'echo evil'] }] };
  const altered = `${signingInput(header, evil)}.${good.split('.')[2]}`;
  const id = submitJ(ALICE, evil, altered);
  assert.match(id, /^\d+$/, id);
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  const ev = eventlog(id);
  // the IMP refuses the first thing run as alice (staging the job's tmpdir), before any task
  assert.match(ev, `note="host ${HOST}: flux-imp: the job's signature does not verify: the jobspec was altered after it was signed"`, ev);
  // nothing of it ran: the start failed as a command not found does (127)
  assert.match(ev, 'finish status=32512', ev);
  assert.is(ev.split('\n').filter((l) => l.includes('exception')).length, 1, ev);
  // replayed by bob: job-ingest refuses it
  assert.is(submitJ(BOB, jobspec, good), `error: signed jobspec: signed by uid ${uidOf(ALICE)}, submitted by uid ${uidOf(BOB)}`);
  // signed for another instance
  const other = signAs(ALICE, { ...header, instance: 'another-instance' }, jobspec);
  assert.is(submitJ(ALICE, jobspec, other), 'error: signed jobspec: signed for another instance');
  // and the IMP's own checks, called directly by the owner
  const imp = (uid: number, J: string) => asUser(OWNER, IMP, ['exec', String(uid), J, '/', '3', '-', '-', '-', 'true']).stderr;
  assert.is(imp(uidOf(BOB), good), `flux-imp: the job was signed by uid ${uidOf(ALICE)}, not by its submitter uid ${uidOf(BOB)}\n`);
  const foreign = signAs(ALICE, { ...header, owner: uidOf(BOB) }, jobspec);
  assert.is(imp(uidOf(ALICE), foreign), `flux-imp: the job was signed for another instance (not one owned by uid ${uidOf(OWNER)})\n`);
  assert.is(imp(uidOf(ALICE), '-'), 'flux-imp: the job is not signed (allow-unsigned is false)\n');
});

t('a guest`s working directory the IMP cannot enter as the guest fails the job in one line', () => {
  const id = as(ALICE, ['submit', `--cwd=${path.join(aliceDir, 'gone')}`, 'true'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  const ev = eventlog(id);
  assert.match(ev, `start failed: true: flux-imp: cannot change to the job's working directory ${path.join(aliceDir, 'gone')}: No such file or directory"`, ev);
});

t('a guest`s flux batch: its script is staged as the guest; flux-ID.out is the guest`s', async () => {
  const script = path.join(aliceDir, 'batch.sh');
  fs.writeFileSync(script, '#!/bin/sh\necho "batch as $(id -un)"\nflux run id -un\n', { mode: 0o755 });
  fs.chownSync(script, uidOf(ALICE), uidOf(ALICE));
  // alice's TMPDIR is alice's (the batch instance's rundir goes there)
  const b = as(ALICE, ['batch', '-N1', 'batch.sh'], aliceDir, { TMPDIR: aliceDir });
  assert.is(b.code, 0, b.stderr);
  const id = b.stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '60', id, 'clean']).code, 0);
  assert.match(eventlog(id), 'finish status=0', eventlog(id));
  const out = path.join(aliceDir, `flux-${id}.out`);
  assert.is(fs.statSync(out).uid, uidOf(ALICE));
  const lines = fs.readFileSync(out, 'utf8').split('\n');
  assert.is(lines[0], `batch as ${ALICE}`, lines.join('\n'));
  assert.is(lines[1], ALICE, lines.join('\n'));
  // the job's tmpdir (made by alice in her TMPDIR, the script in it) goes with the job, removed as alice
  await until(() => !fs.readdirSync(aliceDir).some((f) => f.startsWith('jobtmp-')), 'the job tmpdir is removed');
});

t('a guest`s flux alloc CMD: an instance owned by the guest, at depth 1', () => {
  const r = as(ALICE, ['alloc', '-N1', 'flux', 'uptime'], aliceDir, { TMPDIR: aliceDir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `owner ${ALICE},  depth 1,  size 1`, r.stdout);
  // on both brokers: each stages its own tmpdir as alice
  const two = as(ALICE, ['alloc', '-N2', 'flux', 'uptime'], aliceDir, { TMPDIR: aliceDir });
  assert.is(two.code, 0, two.stderr);
  assert.match(two.stdout, `owner ${ALICE},  depth 1,  size 2`, two.stdout);
});

t('a guest`s --output=FILE is the guest`s; a file only the owner may create fails the job in one line', () => {
  const id = as(ALICE, ['submit', '--output=mine.out', 'sh', '-c', 'id -un'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  const file = path.join(aliceDir, 'mine.out');
  assert.is(fs.statSync(file).uid, uidOf(ALICE));
  assert.is(fs.readFileSync(file, 'utf8'), `${ALICE}\n`);
  // output.mode=append: the guest's writer appends
  const again = as(ALICE, ['submit', '--output=mine.out', '-o', 'output.mode=append', 'echo', 'more'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', again, 'clean']).code, 0);
  assert.is(fs.readFileSync(file, 'utf8'), `${ALICE}\nmore\n`);
  // the owner's home: the broker could write there, alice cannot
  const theirs = path.join(tmp.dir, 'owner', 'not-alices.out');
  const bad = as(ALICE, ['submit', `--output=${theirs}`, 'true'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', bad, 'clean']).code, 0);
  const ev = eventlog(bad);
  assert.match(ev, `exception type="exec" severity=0 note="error opening output file '${theirs}': Permission denied"`, ev);
  assert.is(ev.split('\n').filter((l) => l.includes('exception')).length, 1, ev);
  assert.not.ok(fs.existsSync(theirs));
  // a file per node is written by each node's shell, as the guest too
  const pn = as(ALICE, ['submit', '-N2', '-n2', '--output=pn.{{node.id}}', 'sh', '-c', 'id -un'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', pn, 'clean']).code, 0);
  for (const n of ['0', '1']) {
    assert.is(fs.statSync(path.join(aliceDir, `pn.${n}`)).uid, uidOf(ALICE));
    assert.is(fs.readFileSync(path.join(aliceDir, `pn.${n}`), 'utf8'), `${ALICE}\n`);
  }
  const badPn = as(ALICE, ['submit', '-N2', '-n2', `--output=${theirs}.{{node.id}}`, 'true'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', badPn, 'clean']).code, 0);
  // the first node to fail says so (the other may be stopped before it tries)
  assert.match(eventlog(badPn), new RegExp(`note="error opening output file '${theirs}\\.[01]': Permission denied"`));
  assert.not.ok(fs.existsSync(`${theirs}.1`));
  // a write error of the guest's writer is the job's exception, in one line
  const full = as(ALICE, ['submit', '--output=/dev/full', 'echo', 'hi'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', full, 'clean']).code, 0);
  const fev = eventlog(full);
  assert.match(fev, `note="error writing output file '/dev/full': No space left on device"`, fev);
});

t('a guest`s --input=FILE is read as the guest: hers works, one only the owner may read fails in one line', () => {
  const mine = path.join(aliceDir, 'in.txt');
  fs.writeFileSync(mine, 'from alice\n', { mode: 0o600 });
  fs.chownSync(mine, uidOf(ALICE), uidOf(ALICE));
  const r = as(ALICE, ['run', `--input=${mine}`, 'cat'], aliceDir);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'from alice\n');
  // the owner's: the broker could read it, alice cannot
  const secret = path.join(tmp.dir, 'owner', 'secret.txt');
  fs.writeFileSync(secret, 'owner only\n', { mode: 0o600 });
  fs.chownSync(secret, uidOf(OWNER), uidOf(OWNER));
  const id = as(ALICE, ['submit', `--input=${secret}`, 'cat'], aliceDir).stdout.trim();
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  const ev = eventlog(id);
  assert.match(ev, `note="host ${HOST}: error opening input file '${secret}': Permission denied"`, ev);
  assert.not.match(outputOf(id), 'owner only');
});

t('a guest`s --output FIFO nobody reads: the job waits for a reader; a cancel ends it and its writer', async () => {
  const fifo = path.join(aliceDir, 'fifo');
  assert.is(asUser(ALICE, 'mkfifo', [fifo]).code, 0);
  const id = as(ALICE, ['submit', `--output=${fifo}`, 'echo', 'never'], aliceDir).stdout.trim();
  // the writer, `sh` as alice, blocks in its open of the FIFO
  await until(() => run('pgrep', ['-u', ALICE, '-x', 'sh']).code === 0, 'alice`s writer waits on the FIFO');
  assert.is(as(ALICE, ['cancel', id]).code, 0);
  assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
  assert.not.match(eventlog(id), 'shell.start');
  await until(() => run('pgrep', ['-u', ALICE]).code === 1, 'no process of alice stays');
});

/** `flux broker` as the owner on a statedir (docs/examples/flux.service); resolves once alice reaches it */
async function systemBroker(runDir: string, stateDir: string): Promise<{ proc: ChildProcess; uri: string; exited: Promise<number | null> }> {
  const p = spawn('setpriv', [`--reuid=${OWNER}`, `--regid=${OWNER}`, '--init-groups', FLUX, 'broker', `--config-path=${path.join(tmp.dir, 'conf')}`, `-Srundir=${runDir}`, `-Sstatedir=${stateDir}`, '-Sbroker.rc2_none=1'], {
    env: { ...process.env, HOME: tmp.dir, TMPDIR: tmp.dir },
    cwd: tmp.dir,
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  const at = `local://${runDir}/local-0`;
  await until(() => p.exitCode !== null || as(ALICE, ['uptime'], aliceDir, { FLUX_URI: at }).code === 0, 'the system broker serves alice');
  return { proc: p, uri: at, exited };
}

t('a guest`s signed job pending across a restart runs as the guest, with its environment', async () => {
  const runDir = path.join(tmp.dir, 'run2');
  const stateDir = path.join(tmp.dir, 'state2');
  fs.mkdirSync(runDir, { mode: 0o755 });
  fs.mkdirSync(stateDir, { mode: 0o700 });
  for (const d of [runDir, stateDir]) fs.chownSync(d, uidOf(OWNER), uidOf(OWNER));
  const first = await systemBroker(runDir, stateDir);
  try {
    const env = { FLUX_URI: first.uri, MYVAR: 'kept-across-restart' };
    const id = as(ALICE, ['submit', '--urgency=0', 'sh', '-c', 'echo "$MYVAR"; id -u'], aliceDir, env).stdout.trim();
    assert.ok(id, 'no job id');
    const J = as(OWNER, ['job', 'info', id, 'J'], tmp.dir, { FLUX_URI: first.uri }).stdout.trim();
    assert.match(J, '.MUNGE:');
    assert.is(as(OWNER, ['shutdown'], tmp.dir, { FLUX_URI: first.uri }).code, 0);
    assert.is(await first.exited, 0);
    const again = await systemBroker(runDir, stateDir);
    try {
      const at = { FLUX_URI: again.uri };
      assert.is(as(OWNER, ['job', 'info', id, 'J'], tmp.dir, at).stdout.trim(), J);
      const rel = as(ALICE, ['job', 'urgency', id, '16'], aliceDir, at);
      assert.is(rel.code, 0, rel.stderr);
      assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean'], tmp.dir, at).code, 0);
      assert.is(as(OWNER, ['job', 'attach', id], tmp.dir, at).stdout, `kept-across-restart\n${uidOf(ALICE)}\n`);
      assert.is(as(OWNER, ['shutdown'], tmp.dir, at).code, 0);
      assert.is(await again.exited, 0);
    } finally {
      if (again.proc.exitCode === null) process.kill(-again.proc.pid!, 'SIGKILL');
    }
  } finally {
    if (first.proc.exitCode === null) process.kill(-first.proc.pid!, 'SIGKILL');
  }
});

t('the owner`s shutdown ends a guest`s running job: none of its processes stays', async () => {
  const runDir = path.join(tmp.dir, 'run3');
  const stateDir = path.join(tmp.dir, 'state3');
  fs.mkdirSync(runDir, { mode: 0o755 });
  fs.mkdirSync(stateDir, { mode: 0o700 });
  for (const d of [runDir, stateDir]) fs.chownSync(d, uidOf(OWNER), uidOf(OWNER));
  const b = await systemBroker(runDir, stateDir);
  try {
    const at = { FLUX_URI: b.uri };
    const id = as(ALICE, ['submit', 'sleep', '301'], aliceDir, at).stdout.trim();
    assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'start'], tmp.dir, at).code, 0);
    await until(() => run('pgrep', ['-u', ALICE, '-f', 'sleep 301']).code === 0, 'alice`s sleep runs');
    assert.is(as(OWNER, ['shutdown'], tmp.dir, at).code, 0);
    assert.is(await b.exited, 0);
    await until(() => run('pgrep', ['-u', ALICE, '-f', 'sleep 301']).code === 1, 'alice`s sleep ends with the instance', 10_000);
  } finally {
    if (b.proc.exitCode === null) process.kill(-b.proc.pid!, 'SIGKILL');
  }
});

t('a config writable by others: the IMP refuses and the guest`s job fails with that one line', () => {
  fs.chmodSync(CONF, 0o666);
  try {
    const id = as(ALICE, ['submit', 'true'], aliceDir).stdout.trim();
    assert.is(as(OWNER, ['job', 'wait-event', '-t', '30', id, 'clean']).code, 0);
    const ev = eventlog(id);
    assert.match(ev, `exception type="exec" severity=0 note="host ${HOST}: flux-imp: ${CONF}: writable by others than root"`, ev);
  } finally {
    fs.chmodSync(CONF, 0o644);
  }
});

t('[exec] imp must be an absolute path: refused at start in one line', () => {
  const dir = path.join(tmp.dir, 'relative');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'exec.toml'), '[exec]\nimp = "flux-imp"\n');
  const r = run(FLUX, ['start', '-c', dir, 'true']);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'exec.imp: must be the absolute path of flux-imp (npm run install-imp)', r.stderr);
});

test.run();
