/** flux start with bad broker options and config: Flux's one-line errors, exit 1, nothing left behind. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';
import { findProcs } from '../helpers/procs';

const STAMP = '\\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC \\d{4}';

test('config path that does not exist', () => {
  const r = flux(['start', '-o,--config-path=/nonexistent', 'true']);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${STAMP} broker\\.crit\\[\\S+\\]: Config file error: stat: /nonexistent: No such file or directory\\n$`));
});

test('TOML syntax error names the file and line, also inside a config directory', () => {
  const t = tmpdir();
  try {
    fs.writeFileSync(path.join(t.dir, 'bad.toml'), '[resource]\nnoverify = true\n[bad\nfoo = 1\n');
    const file = flux(['start', '-c', path.join(t.dir, 'bad.toml'), 'true']);
    assert.is(file.code, 1);
    assert.match(file.stderr, new RegExp(`broker\\.crit\\[\\S+\\]: Config file error: ${path.join(t.dir, 'bad.toml')}:3: `));
    const dir = flux(['start', `-o,--config-path=${t.dir}`, 'true']);
    assert.is(dir.code, 1);
    assert.match(dir.stderr, /Config file error: .*bad\.toml:3: /);
  } finally {
    t.cleanup();
  }
});

test('bad attribute values and names', () => {
  const q = flux(['start', '-Sbroker.quorum=bogus', 'true']);
  assert.is(q.code, 1);
  assert.match(q.stderr, new RegExp(`^${STAMP} broker\\.crit\\[0\\]: Error parsing broker\\.quorum attribute\\n$`));
  const q2 = flux(['start', '--test-size=2', '-Sbroker.quorum=bogus', 'true']);
  assert.is(q2.code, 1);
  assert.match(q2.stderr, /broker\.crit\[1\]: Error parsing broker\.quorum attribute/);
  assert.match(q2.stderr, /broker\.crit\[0\]: Error parsing broker\.quorum attribute/);
  const u = flux(['start', '-Snosuch=1', 'true']);
  assert.is(u.code, 1);
  assert.is(u.stderr, 'flux-broker: nosuch: unknown attribute\n');
  const ro = flux(['start', '-Srank=3', 'true']);
  assert.is(ro.code, 1);
  assert.is(ro.stderr, 'flux-broker: rank: attribute may not be set on the command line\n');
});

test('unknown topology fails every broker quickly', () => {
  const r = flux(['start', '--test-size=3', '-Stbon.topo=bogus', 'true'], { timeoutMs: 20_000 });
  assert.is(r.code, 1);
  assert.match(r.stderr, /unknown topology scheme 'bogus'/);
  assert.match(r.stderr, /flux-start: 0 \(pid \d+\) exited with rc=1/);
});

test('a size the machine cannot hold is refused before anything starts', () => {
  const t = tmpdir();
  try {
    const env = { TMPDIR: t.dir };
    const r = flux(['start', '--test-size=100000', 'true'], { env, timeoutMs: 20_000 });
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      /^flux-start: --test-size=100000: more brokers than this machine can hold \(at most \d+: (48 MiB each, memory available \d+ MiB|12 tasks each, RLIMIT_NPROC \d+)\); --test-in-process runs many brokers in one process\n$/,
    );
    const ip = flux(['start', '--test-size=10000000', '--test-in-process', 'true'], { env, timeoutMs: 20_000 });
    assert.is(ip.code, 1);
    assert.match(
      ip.stderr,
      /^flux-start: --test-size=10000000: more brokers than one process can hold \(at most \d+: (256 KiB each, (heap limit|memory available) \d+ MiB|one socket each, RLIMIT_NOFILE \d+)\)\n$/,
    );
    // nothing was started: not even the instance's directory was made
    assert.equal(fs.readdirSync(t.dir), []);
  } finally {
    t.cleanup();
  }
});

test('a signal while the brokers start ends the start and leaves no broker', () => {
  const t = tmpdir();
  try {
    // each broker's wrapper signals flux start as it starts: the first does so
    // while later ranks are still to be started
    const wrap = path.join(t.dir, 'term-parent');
    fs.writeFileSync(wrap, '#!/bin/sh\nkill -TERM $PPID\nexec "$@"\n', { mode: 0o755 });
    const rundir = path.join(t.dir, 'run');
    fs.mkdirSync(rundir, { mode: 0o700 });
    const r = flux(['start', '--test-size=8', `--wrap=${wrap}`, `--test-rundir=${rundir}`, 'sleep', '30'], { timeoutMs: 30_000 });
    assert.is(r.code, 143);
    const m = /^flux-start: SIGTERM while starting: started (\d+) of 8 brokers$/m.exec(r.stderr);
    assert.ok(m, `no start-up interruption reported: ${r.stderr}`);
    assert.ok(Number(m![1]) < 8, r.stderr);
    assert.equal(findProcs({ argv: `--setattr=rundir=${rundir}` }), []);
  } finally {
    t.cleanup();
  }
});

test("a TMPDIR where the instance's directory cannot be made: one line", () => {
  const t = tmpdir();
  try {
    const file = path.join(t.dir, 'file');
    fs.writeFileSync(file, '');
    for (const extra of [[], ['--test-in-process']]) {
      const r = flux(['start', '--test-size=2', ...extra, 'true'], { env: { TMPDIR: '/nonexistent' } });
      assert.is(r.code, 1);
      assert.is(r.stderr, "flux-start: cannot make the instance's directory under /nonexistent: No such file or directory\n");
      const f = flux(['start', '--test-size=2', ...extra, 'true'], { env: { TMPDIR: file } });
      assert.is(f.code, 1);
      assert.is(f.stderr, `flux-start: cannot make the instance's directory under ${file}: Not a directory\n`);
    }
  } finally {
    t.cleanup();
  }
});

test('empty or malformed rundir, statedir and local-uri', () => {
  const cases: Array<[string[], string]> = [
    [['-Srundir='], 'flux-broker: rundir: empty value\n'],
    [['-Sstatedir='], 'flux-broker: statedir: empty value\n'],
    [['-Slocal-uri='], 'flux-broker: local-uri: empty value\n'],
    [['-Slocal-uri=bogus'], "flux-broker: local-uri 'bogus': not a local:// URI\n"],
    [['-Slocal-uri=/tmp/sock'], "flux-broker: local-uri '/tmp/sock': not a local:// URI\n"],
    [['-Slocal-uri=local://'], "flux-broker: local-uri 'local://': no socket path\n"],
    [['--test-size=1', '--test-rundir='], 'flux-start: --test-rundir: empty value\n'],
    [['-Shostname='], 'flux-broker: hostname: empty value\n'],
    // what test mode sets on each broker itself is refused, not overridden
    [['--test-size=2', '-Srundir=/tmp'], 'flux-start: -Srundir: --test-size gives each broker a rundir of its own (use --test-rundir=DIR)\n'],
    [['--test-size=2', '-o,-Shostname=x'], 'flux-start: -Shostname: --test-size names each broker (use --test-hosts=HOSTLIST)\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = flux(['start', ...args, 'true']);
    assert.is(r.code, 1, args.join(' '));
    assert.is(r.stderr, stderr);
  }
});

test('attribute values that could never work: tbon.prefertcp other than 0/1, a quorum above the size; a [resource] config entry without hosts', () => {
  const t = tmpdir();
  try {
    const toml = path.join(t.dir, 'nohosts.toml');
    fs.writeFileSync(toml, 'resource.config = [ { cores = "0" } ]\n');
    const cases: Array<[string[], RegExp]> = [
      [['-Stbon.prefertcp=false'], /broker\.crit\[0\]: Error parsing tbon\.prefertcp attribute\n/],
      [['--test-size=2', '-Sbroker.quorum=3'], /broker\.crit\[0\]: broker\.quorum 3 is larger than the instance \(size 2\): it could never be reached\n/],
      [['-c', toml], /Config file error: \S+nohosts\.toml:1: resource\.config\[0\]\.hosts: required, but missing\n/],
    ];
    for (const [args, stderr] of cases) {
      const r = flux(['start', ...args, 'echo', 'RAN'], { timeoutMs: 30_000 });
      assert.equal([r.code, r.stdout], [1, ''], args.join(' '));
      assert.match(r.stderr, stderr, args.join(' '));
    }
  } finally {
    t.cleanup();
  }
});

test.run();
