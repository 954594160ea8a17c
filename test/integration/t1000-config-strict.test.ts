/**
 * Nothing in the broker config or on the broker command line is silently
 * ignored: unknown tables and keys, wrong types and bad values stop the
 * instance with `file:line` (or `--conf`) and exit 1; the attributes that
 * flux-ts honours have their effect, the ones it does not are refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

/** flux start -c FILE (FILE holding `toml`) ARGS...; the file is removed afterwards */
function startWith(toml: string, args: string[]): { code: number; stderr: string; stdout: string; file: string } {
  const t = tmpdir();
  try {
    const file = path.join(t.dir, 'conf.toml');
    fs.writeFileSync(file, toml);
    return { ...flux(['start', '-c', file, ...args]), file };
  } finally {
    t.cleanup();
  }
}

test('unknown table, unknown key, wrong type and bad value each name file:line', () => {
  const cases: Array<[string, RegExp]> = [
    ['# site\n[nosuchtable]\nfoo = 1\n', /:2: nosuchtable: unknown table\n/],
    ['[sched-fluxion-qmanager]\nqueue-policy = "easy"\n', /:1: sched-fluxion-qmanager: a Flux table flux-ts does not implement: Fluxion is not part of flux-ts: \[sched\] policy selects fcfs or backfill \(flux-config-sched\(5\)\)\n/],
    ['[systemd]\nenable = true\n', /:1: systemd: a Flux table flux-ts does not implement: flux-ts does not run jobs or the broker under systemd units\n/],
    ['[tbon]\ntorpid_min = "5s"\nbogus = 1\n', /:3: tbon\.bogus: unknown key\n/],
    // a key of Flux's that flux-ts does without says so
    ['[exec]\njob-shell = "/usr/libexec/flux/flux-shell"\n', /:2: exec\.job-shell: a Flux key flux-ts does not implement: the job shell runs inside the broker, there is no shell program to name \(site plugins: exec\.shell-plugins\)\n/],
    // the example of Flux's flux-config-job-manager(5) has it
    ['[job-manager]\njournal-size-limit = 10000\n', /:2: job-manager\.journal-size-limit: a Flux key flux-ts does not implement: the job manager keeps no events journal \(the backlog Flux's job-list reads\) to limit: job data is read from the job eventlogs in the kvs\n/],
    ['[tbon]\nzmq_io_threads = 4\n', /:2: tbon\.zmq_io_threads: a Flux key flux-ts does not implement: the overlay is not ZeroMQ: it runs on the broker's own event loop\n/],
    ['[tbon]\ntopo = 5\n', /:2: tbon\.topo: must be a string, got integer 5\n/],
    ['[tbon]\ntopo = "bogus"\n', /:2: tbon\.topo: unknown topology scheme 'bogus'\n/],
    ['[cli-pool]\nsize = 99\n', /:2: cli-pool\.size: must be an integer from 0 to 64, got 99\n/],
    ['[job-manager]\n\n"inactive-age-limit" = "soon"\n', /:3: job-manager\.inactive-age-limit: "soon" is not a valid duration \(FSD\)\n/],
    ['[sched]\nselect = "middle"\n', /:2: sched\.select: must be one of low, high, got "middle"\n/],
    ['[modules]\ndisable = "sched"\n', /:2: modules\.disable: must be an array of strings, got string "sched"\n/],
    ['[bootstrap]\nhosts = [\n  { host = "a", bogus = 1 },\n]\n', /:2: bootstrap\.hosts\[0\]\.bogus: unknown key\n/],
  ];
  for (const [toml, want] of cases) {
    const r = startWith(toml, ['true']);
    assert.is(r.code, 1, `${JSON.stringify(toml)}: ${r.stderr}`);
    assert.match(r.stderr, /broker\.crit\[\S+\]: Config file error: \S+conf\.toml:\d+: /);
    assert.match(r.stderr, want);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--conf overrides are checked too, and named as --conf', () => {
  const t = flux(['start', '--conf=tbon.topo=5', 'true']);
  assert.is(t.code, 1);
  assert.match(t.stderr, /Config file error: --conf: tbon\.topo: must be a string, got integer 5\n$/);
  const u = flux(['start', '--conf=nosuch.key=1', 'true']);
  assert.is(u.code, 1);
  assert.match(u.stderr, /Config file error: --conf: nosuch: unknown table\n$/);
  const toml = flux(['start', '--conf=[tbon]\nnope = 1\n', 'true']);
  assert.is(toml.code, 1);
  assert.match(toml.stderr, /Config file error: --conf:2: tbon\.nope: unknown key\n$/);
});

test('[modules] disable keeps rc1 from loading a module', () => {
  const r = flux(['start', '--conf=modules.disable=["cli-pool"]', 'sh', '-c', 'flux module list | cut -d" " -f1 | sort | tr "\\n" " "']);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, /\bcli-pool\b/);
  assert.match(r.stdout, /\bkvs\b/);
});

test('[modules] NAME.ranks and NAME.args update a module of the table (Flux\'s); a module the table lacks or a bad ranks value is one line', () => {
  // heartbeat on rank 0 only (not on rank 1), cron with another sync epsilon
  const r = startWith('[modules]\nheartbeat.ranks = "<1"\ncron.args = ["sync=heartbeat.pulse", "sync_epsilon=0.5"]\n', [
    '--test-size=2',
    'sh',
    '-c',
    'flux cron sync; flux module list | grep -c ^heartbeat; flux exec -r 1 flux module list | grep -c ^heartbeat',
  ]);
  assert.is(r.stdout, 'sync: sync to event "heartbeat.pulse" epsilon=0.500s.\n1\n0\n', r.stderr);
  const only1 = startWith('[modules]\nheartbeat.ranks = "1"\n', ['--test-size=2', 'sh', '-c', 'flux module list | grep -c ^heartbeat; flux exec -r 1 flux module list | grep -c ^heartbeat']);
  assert.is(only1.stdout, '0\n1\n', only1.stderr);
  const none = startWith('[modules]\nnosuch.ranks = "0"\n', ['true']);
  assert.is(none.code, 1);
  assert.match(none.stderr, /broker\.err\[0\]: rc1.0: modules\.nosuch: no module nosuch in the module table \(kvs, /);
  const bad = startWith('[modules]\ncron.ranks = "x"\n', ['true']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /:2: modules\.cron\.ranks: "x" is not all, leader, an idset of ranks, >N or <N\n/);
});

test('a sched option the policy does not take fails the load (it would do nothing)', () => {
  const r = flux(['start', '--conf=sched.frobnicate=1', 'true']);
  assert.ok(r.code !== 0);
  assert.match(r.stderr, /sched\.frobnicate: unknown option for policy fcfs \(it takes: select\)/);
});

test('good keys have their effect: [tbon] connect_timeout, -Sconfig.path', () => {
  const r = startWith('[tbon]\nconnect_timeout = "7s"\n', ['flux', 'getattr', 'tbon.connect_timeout']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '7s\n');
  const t = tmpdir();
  try {
    const file = path.join(t.dir, 'c.toml');
    fs.writeFileSync(file, '[tbon]\nconnect_timeout = "9s"\n');
    const s = flux(['start', `-Sconfig.path=${file}`, 'sh', '-c', 'flux getattr tbon.connect_timeout; flux getattr config.path']);
    assert.is(s.code, 0, s.stderr);
    assert.is(s.stdout, `9s\n${file}\n`);
    // the command line wins over [tbon]
    const cl = flux(['start', '-c', file, '-Stbon.connect_timeout=3s', 'flux', 'getattr', 'tbon.connect_timeout']);
    assert.is(cl.stdout, '3s\n');
  } finally {
    t.cleanup();
  }
  const bad = flux(['start', '-Stbon.connect_timeout=soon', 'true']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /broker\.crit\[0\]: Error parsing tbon\.connect_timeout attribute\n$/);
});

test('statedir: a missing parent or a directory others may write is refused; a good one is used and kept', () => {
  const nope = flux(['start', '-Sstatedir=/proc/nope', 'true']);
  assert.is(nope.code, 1);
  assert.match(nope.stderr, /broker\.crit\[0\]: statedir \/proc\/nope: cannot create: ENOENT\n$/);
  const t = tmpdir();
  try {
    const open = path.join(t.dir, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const r = flux(['start', `-Sstatedir=${open}`, 'true']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /statedir \S+\/open is writable by others \(mode 0777\)/);
    const good = path.join(t.dir, 'state');
    const g = flux(['start', `-Sstatedir=${good}`, 'flux', 'getattr', 'statedir']);
    assert.is(g.code, 0, g.stderr);
    assert.is(g.stdout, `${good}\n`);
    assert.ok(fs.statSync(good).isDirectory(), 'a statedir the user named is kept at exit');
    assert.is(fs.statSync(good).mode & 0o777, 0o700);
  } finally {
    t.cleanup();
  }
});

test('broker.rc1_path replaces the module table; a failing rc1 fails the instance', () => {
  const f = flux(['start', '-Sbroker.rc1_path=/bin/false', 'echo', 'not reached']);
  assert.is(f.code, 1);
  assert.not.match(f.stdout, /not reached/);
  assert.match(f.stderr, /broker\.err\[0\]: rc1\.0: \/bin\/false Exited \(rc=1\)/);
  const t = tmpdir();
  try {
    const mark = path.join(t.dir, 'rc');
    const rc1 = `echo rc1 >>${mark}; flux module load kvs`;
    const rc3 = `echo rc3 >>${mark}`;
    const r = flux(['start', `-Sbroker.rc1_path=${rc1}`, `-Sbroker.rc3_path=${rc3}`, 'sh', '-c', 'flux module list | cut -d" " -f1']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'Module\nkvs\n');
    assert.is(fs.readFileSync(mark, 'utf8'), 'rc1\nrc3\n');
    const r3 = flux(['start', '-Sbroker.rc3_path=exit 3', 'true']);
    assert.is(r3.code, 3);
    assert.match(r3.stderr, /rc3\.0: exit 3 Exited \(rc=3\)/);
  } finally {
    t.cleanup();
  }
});

test('log-filename: the leader writes its log there; a path it cannot open is refused', () => {
  const t = tmpdir();
  try {
    const log = path.join(t.dir, 'broker.log');
    const r = flux(['start', '--test-size=2', `-Slog-filename=${log}`, 'flux', 'exec', '-r', '1', 'flux', 'logger', '--severity=err', 'hello-from-one']);
    assert.is(r.code, 0, r.stderr);
    const text = fs.readFileSync(log, 'utf8');
    // rank 1's entry, forwarded to the leader, and the leader's own
    assert.match(text, /Z logger\.err\[1\]: hello-from-one\n/);
    assert.match(text, /Z broker\.info\[0\]: rc2\.0: flux exec/);
    assert.is(fs.statSync(log).mode & 0o777, 0o600);
  } finally {
    t.cleanup();
  }
  const bad = flux(['start', '-Slog-filename=/proc/nope/log', 'true']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /broker\.crit\[0\]: log-filename \/proc\/nope\/log: cannot open: ENOENT\n$/);
});

test('attributes flux-ts does not implement are refused, not ignored', () => {
  for (const [kv, stays] of [
    ['broker.shutdown-timeout=10s', ' (it stays "none")'],
    ['broker.cleanup-timeout=10s', ' (it stays "none")'],
    ['broker.exit-restart=42', ''],
  ]) {
    const r = flux(['start', `-S${kv}`, 'true']);
    assert.is(r.code, 1);
    const name = kv.split('=')[0]!;
    assert.is(r.stderr, `flux-broker: ${name}: setting this attribute is not supported by flux-ts${stays}\n`);
  }
  // the value shown is accepted (a site config that spells out the default keeps working)
  assert.is(flux(['start', '-Sbroker.shutdown-timeout=none', 'true']).code, 0);
  const bm = flux(['start', '-Sbroker.boot-method=config', 'true']);
  assert.is(bm.stderr, 'flux-broker: broker.boot-method: attribute may not be set on the command line\n');
});

test.run();
