/**
 * flux start --test-size=N: option errors, -v/-X/-vv output, the PMI path, exit
 * codes and death messages (commands.md §1.3/§1.4), exit timeout, PMI_Abort,
 * signal forwarding, rundir cleanup. Fault cases use --wrap to put a small fake
 * broker in front of (or instead of) the real one, so they do not depend on the
 * overlay; the size>1 cases with real brokers need overlay/factory.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { FLUX, ROOT, flux, tmpdir, type Result } from '../helpers/flux';
import { testWhen } from '../helpers/skip';
import { describe, findProcs } from '../helpers/procs';
import { waitUntil } from '../helpers/wait';

const tmp = tmpdir('flux-t0100-');
const hasOverlay = fs.existsSync(path.join(ROOT, 'dist', 'overlay', 'factory.js'));
const noOverlay = hasOverlay ? undefined : 'overlay/factory is not built';

/** A fake broker: behaviour from FAKE_<rank> (exit:N, sleep, abort:MSG, term:N, pmi). */
const FAKE = path.join(tmp.dir, 'fake-broker.js');
fs.writeFileSync(
  FAKE,
  `const rank = process.env.PMI_RANK;
const what = process.env['FAKE_' + rank] || 'sleep';
const [verb, arg] = what.split(':');
const hold = () => setInterval(() => {}, 1000);
if (verb === 'exit') process.exit(Number(arg));
else if (verb === 'sleep') hold();
else if (verb === 'term') { process.on('SIGTERM', () => process.exit(Number(arg))); hold(); console.log('ready ' + rank); }
else if (verb === 'abort' || verb === 'pmi') {
  const { pmiConnect } = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'pmi', 'client.js'))});
  pmiConnect().then(async (c) => {
    if (verb === 'abort') { await c.abort(3, arg); hold(); return; }
    await c.put('k' + c.rank, 'v' + c.rank);
    await c.barrier();
    const v = await c.get('k' + ((c.rank + 1) % c.size));
    const m = await c.get('PMI_process_mapping').catch(() => 'none');
    await c.finalize();
    console.log(c.rank + ' ' + c.size + ' ' + c.kvsname + ' ' + v + ' ' + m);
  }).catch((e) => { console.error('fake: ' + e.message); process.exit(1); });
}
`,
);
const wrapFake = `--wrap=${process.execPath},${FAKE}`;

/** `flux start ARGS` with rundirs under our tmpdir (so leftovers are ours to find) */
const start = (args: string[], env: NodeJS.ProcessEnv = {}): Result =>
  flux(['start', ...args], { env: { TMPDIR: tmp.dir, ...env } });

const noBrokersLeft = () => {
  const r = spawnSync('pgrep', ['-f', `${FAKE}|cli/broker-entry.js --setattr=rundir=${tmp.dir}`], { encoding: 'utf8' });
  assert.is(r.stdout, '', `leftover processes: ${r.stdout}`);
};

test.after(() => tmp.cleanup());

test('option errors use Flux messages and exit 1', () => {
  const cases: Array<[string[], string]> = [
    [['--test-size=0', 'true'], 'flux-start: --test-size argument must be > 0\n'],
    [['--test-size=-1', 'true'], 'flux-start: --test-size argument must be > 0\n'],
    [['--test-size=abc', 'true'], "flux-start: flux-start: Option 'test-size' requires an integer argument\n"],
    [['-s2', '--test-exit-mode=bogus', 'true'], 'flux-start: unknown --test-exit-mode: bogus\n'],
    [['-s2', '--test-start-mode=bogus', 'true'], 'flux-start: unknown --test-start-mode: bogus\n'],
    [['-s2', '--test-hosts=h[0-2]', 'true'], 'flux-start: --test-hosts hostlist has incorrect size\n'],
    [['-s2', '--test-hosts=h[0-', 'true'], 'flux-start: could not decode --test-hosts hostlist\n'],
    [['-s2', '--test-exit-timeout=soon', 'true'], "flux-start: flux-start: Invalid argument for option 'test-exit-timeout': 'soon'\n"],
    [['-s2', '--test-rundir=/etc/passwd', 'true'], 'flux-start: /etc/passwd: not a directory\n'],
    [['-s2', '--test-rundir=/nonexist', 'true'], 'flux-start: /nonexist: No such file or directory\n'],
    [['-s2', '--test-pmi-clique=bogus', 'true'], "flux-start: test-pmi-clique: error parsing range 'bogus'\n"],
    [['--test-hosts=a', 'true'], 'flux-start: --test-hosts only works with --test-size\n'],
    [['--test-exit-timeout=1s', 'true'], 'flux-start: --test-exit-timeout only works with --test-size\n'],
    [['--test-rundir-cleanup', 'true'], 'flux-start: --test-rundir-cleanup only works with --test-size\n'],
    [['--bogus', 'true'], "flux-start: unrecognized option '--bogus'\nTry `flux-start --help' for more information.\n"],
  ];
  for (const [args, err] of cases) {
    const r = start(args);
    assert.is(r.stderr, err, args.join(' '));
    assert.is(r.code, 1, args.join(' '));
  }
});

test('--help prints usage on stderr and exits 0', () => {
  const r = start(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stderr, /^Usage: flux-start \[OPTIONS\] command \.\.\.\n/);
  assert.match(r.stderr, /--test-size=N/);
});

test('-v -X prints each broker command and runs nothing', () => {
  const r = start(['-s2', '-v', '-X', '--test-hosts=h[0-1]', 'echo', 'hi']);
  assert.is(r.code, 0);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /^flux-start: 0: \S+ -- \S+broker-entry\.js --setattr=rundir=(\S+) --setattr=hostname=h0 echo hi$/);
  assert.match(lines[1]!, /^flux-start: 1: \S+ -- \S+broker-entry\.js --setattr=rundir=\S+ --setattr=hostname=h1$/);
  const dir = /rundir=(\S+)/.exec(lines[0]!)![1]!;
  assert.not.ok(fs.existsSync(dir), 'rundir removed');
});

test("--sysconfig: the system instance's config as -c; -c wins with a warning", () => {
  const r = start(['--sysconfig', '-v', '-X', 'true']);
  assert.equal([r.code, r.stdout], [0, '']);
  assert.match(r.stderr, /^flux-start: flux-broker -c\/etc\/flux\/system\/conf\.d true\n$/);
  const o = start(['--sysconfig', '-c', '/tmp/site.toml', '-v', '-X', 'true']);
  assert.is(o.code, 0);
  assert.is(o.stderr, 'flux-start: Warning: overriding recovery/--sysconfig path with /tmp/site.toml\nflux-start: flux-broker -c/tmp/site.toml true\n');
});

test('size 1: the broker boots through the PMI path and exits with the program', () => {
  const r = start(['-s1', '-vv', 'sh', '-c', 'flux getattr size; flux getattr rundir; env | grep ^PMI_; echo "$FLUX_START_URI"; exit 4']);
  assert.is(r.code, 4);
  const [size, rundir, startUri] = r.stdout.trimEnd().split('\n');
  assert.is(size, '1');
  assert.is(startUri, `local://${rundir}/start`, 'PMI_* stripped, FLUX_START_URI kept');
  assert.not.ok(fs.existsSync(rundir!), 'rundir removed');
  assert.match(r.stderr, /^flux-start: 0 \(pid \d+\) exited with rc=4$/m);
  if (hasOverlay) {
    assert.match(r.stderr, /^0: C: cmd=init pmi_version=1 pmi_subversion=1$/m);
    assert.match(r.stderr, /^0: S: cmd=my_kvsname rc=0 kvsname=-$/m);
  }
  noBrokersLeft();
});

test('--test-hosts sets the hostname attribute', () => {
  const r = start(['-s1', '--test-hosts=node7', 'flux', 'getattr', 'hostname']);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'node7\n');
});

testWhen(test, '--test-hosts names the discovered resources (rank order): list, info, R, jobs, drain by host', noOverlay, () => {
  const script = [
    'flux resource list -no "{nodelist}"',
    'flux resource info',
    'flux resource R | flux R decode --nodelist',
    'id=$(flux submit -N3 true) && flux job wait-event $id clean >/dev/null && flux jobs -no "{nodelist}" $id',
    'flux job info $id R | flux R decode --nodelist',
    'flux resource drain node1 testing && flux resource drain -no "{ranks} {nodelist}"',
  ].join('; ');
  const r = start(['-s3', '--test-hosts=node[0-2]', 'sh', '-c', script]);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.filter((l) => !/Nodes/.test(l)), ['node[0-2]', 'node[0-2]', 'node[0-2]', 'node[0-2]', '1 node1']);
  assert.match(r.stdout, /^3 Nodes, \d+ Cores, 0 GPUs$/m);
  noBrokersLeft();
});

test('--test-rundir is used and left; --test-rundir-cleanup removes it', () => {
  const d = path.join(tmp.dir, 'rd');
  fs.mkdirSync(d);
  const r = start(['-s1', `--test-rundir=${d}`, 'flux', 'getattr', 'rundir']);
  assert.is(r.code, 0);
  assert.is(r.stdout, `${d}\n`);
  assert.ok(fs.existsSync(d));
  const r2 = start(['-s1', `--test-rundir=${d}`, '--test-rundir-cleanup', 'true']);
  assert.is(r2.code, 0);
  assert.not.ok(fs.existsSync(d));
});

test('PMI through fake brokers: kvs, barrier, mapping per --test-pmi-clique', () => {
  const env = { FAKE_0: 'pmi', FAKE_1: 'pmi', FAKE_2: 'pmi' };
  const r = start(['-s3', wrapFake, 'true'], env);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').sort(), ['0 3 - v1 (vector,(0,1,3))', '1 3 - v2 (vector,(0,1,3))', '2 3 - v0 (vector,(0,1,3))']);
  const r2 = start(['-s3', '--test-pmi-clique=per-broker', wrapFake, 'true'], env);
  assert.match(r2.stdout, /^0 3 - v1 \(vector,\(0,3,1\)\)$/m);
  const r3 = start(['-s3', '--test-pmi-clique=none', wrapFake, 'true'], env);
  assert.match(r3.stdout, /^0 3 - v1 none$/m);
});

test('a broker that dies before the barrier fails the others at once', () => {
  const r = start(['-s3', wrapFake, 'true'], { FAKE_0: 'pmi', FAKE_1: 'exit:3', FAKE_2: 'pmi' });
  assert.match(r.stderr, /^flux-start: 1 \(pid \d+\) exited with rc=3$/m);
  assert.match(r.stderr, /^fake: barrier: operation failed: rank 1 (exited with status 3|closed its PMI connection)$/m, r.stderr);
  assert.match(r.stderr, /^flux-start: 0 \(pid \d+\) exited with rc=1$/m);
  assert.is(r.code, 3, 'any mode: the highest exit code');
  noBrokersLeft();
});

test('exit timeout kills the rest (any mode); leader mode returns rank 0', () => {
  const r = start(['-s3', '--test-exit-timeout=0.2s', wrapFake, 'true'], { FAKE_0: 'sleep', FAKE_1: 'exit:0', FAKE_2: 'sleep' });
  assert.is(r.code, 137);
  assert.match(r.stderr, /^flux-start: Exit timeout: killed rank 0,2$/m);
  assert.match(r.stderr, /^flux-start: 0 \(pid \d+\) Killed$/m);
  assert.match(r.stderr, /^flux-start: 2 \(pid \d+\) Killed$/m);
  noBrokersLeft();
  const l = start(['-s2', '--test-exit-mode=leader', '--test-exit-timeout=0', wrapFake, 'true'], { FAKE_0: 'exit:0', FAKE_1: 'sleep' });
  assert.is(l.code, 0, 'leader mode: rank 0 code even though rank 1 was killed');
  assert.match(l.stderr, /^flux-start: Exit timeout: killed rank 1$/m);
  noBrokersLeft();
});

test('PMI_Abort is reported and kills every broker', () => {
  const r = start(['-s3', wrapFake, 'true'], { FAKE_0: 'sleep', FAKE_1: 'abort:it went wrong', FAKE_2: 'sleep' });
  assert.match(r.stderr, /^flux-start: 1: PMI_Abort\(\): it went wrong$/m);
  assert.is(r.code, 137);
  noBrokersLeft();
});

test('SIGTERM to flux start is forwarded to the brokers', async () => {
  const p = spawn(FLUX, ['start', '-s2', wrapFake, 'true'], {
    env: { ...process.env, TMPDIR: tmp.dir, FAKE_0: 'term:42', FAKE_1: 'term:0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  p.stderr!.on('data', (d) => (err += d));
  const done = new Promise<Result>((res) => p.on('close', (code) => res({ stdout: out, stderr: err, code: code ?? -1 })));
  // both fake brokers have their SIGTERM handler in place
  await new Promise<void>((res) => p.stdout!.on('data', (d) => (out += d).split('ready').length === 3 && res()));
  p.kill('SIGTERM');
  const r = await done;
  assert.is(r.code, 42);
  assert.match(r.stderr, /^flux-start: 0 \(pid \d+\) exited with rc=42$/m);
  noBrokersLeft();
});

testWhen(test, 'SIGKILL of the front end: its brokers shut down as on SIGTERM (jobs killed, rundir removed)', noOverlay, async () => {
  const mark = `${process.pid}${Date.now() % 100000}`;
  const p = spawn(FLUX, ['start', '-s2', 'sh', '-c', `flux submit -N2 sleep ${mark} >/dev/null && flux getattr rundir && exec sleep ${mark}`], {
    env: { ...process.env, TMPDIR: tmp.dir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const ours = () => [...findProcs({ argv: `sleep ${mark}` }), ...(rundir ? findProcs({ argv: `--setattr=rundir=${rundir}` }) : [])];
  let rundir = '';
  try {
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    rundir = await waitUntil(() => /^(\/.*)\n/.exec(out)?.[1], { what: 'the rundir' });
    // the job's two tasks and the initial program
    await waitUntil(() => findProcs({ argv: `sleep ${mark}` }).length >= 3, { what: 'the job and the program running' });
    assert.ok(findProcs({ argv: `--setattr=rundir=${rundir}` }).length >= 2);
    p.kill('SIGKILL');
    await waitUntil(() => ours().length === 0 && !fs.existsSync(rundir), { what: 'nothing of the instance left', timeoutMs: 30_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${describe(ours())}`);
    });
  } finally {
    for (const q of ours()) {
      try {
        process.kill(q.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

testWhen(test, 'size 3 with real brokers: one instance of 3', noOverlay, () => {
  const r = start(['-s3', 'flux', 'getattr', 'size']);
  assert.is(r.stdout, '3\n', r.stderr);
  assert.is(r.code, 0);
  noBrokersLeft();
});

testWhen(test, 'size 3 with a real broker that dies at start: clear message, non-zero, nothing left', noOverlay, () => {
  // rank 1 is replaced by a process that exits 3 before speaking PMI
  const wrap = `--wrap=sh,-c,[ "$PMI_RANK" = 1 ] && exit 3; exec "$@",sh`;
  const r = start(['-s3', wrap, 'flux', 'getattr', 'size']);
  assert.match(r.stderr, /^flux-start: 1 \(pid \d+\) exited with rc=3$/m);
  assert.ok(r.code !== 0);
  assert.is(r.stdout, '');
  noBrokersLeft();
});

testWhen(test, 'NODE_EXTRA_CA_CERTS: brokers and the front end start without reading it; the initial program, jobs, flux exec and flux env get it unchanged', noOverlay, () => {
  // a file Node cannot load: each Node process that read it warns on its stderr
  const ca = path.join(tmp.dir, 'no-such-ca.pem');
  const script = 'printenv NODE_EXTRA_CA_CERTS; flux run -N2 printenv NODE_EXTRA_CA_CERTS; flux exec -r 1 printenv NODE_EXTRA_CA_CERTS; flux env printenv NODE_EXTRA_CA_CERTS; flux run env | grep -c ^FLUX_TS_PARKED_ || true';
  const r = flux(['start', '--test-size=2', 'sh', '-c', script], { env: { NODE_EXTRA_CA_CERTS: ca } });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /extra certs/, 'no Node process of ours read it');
  assert.is(r.stdout, `${ca}\n`.repeat(5) + '0\n');
});

test.run();
