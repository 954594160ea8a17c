/**
 * perilog.so ([job-manager.prolog] / [job-manager.epilog]) through the real
 * `flux start -c`: the prolog runs before the job starts and the epilog after
 * it finishes, each bracketed by its events; a failed or timed out prolog
 * ends the job with exception type=prolog before it starts, a failed epilog
 * raises type=epilog; per-rank runs on every rank of the job; a bad table is
 * refused at start in one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

/** stderr's lines but Flux's closing `rc1.0: flux modprobe rc1 Exited (rc=1)` of a failed rc1 */
const ownLines = (stderr: string) => stderr.trim().split('\n').filter((l) => !/ rc1\.0: flux modprobe rc1 Exited \(rc=1\)/.test(l));

const tmp = tmpdir('flux-t1025-');
test.after(() => tmp.cleanup());

/** an executable shell script in the test's directory */
function script(name: string, body: string): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** an instance of size brokers (none: one broker, as a system instance starts) running sh */
function startWith(toml: string, sh: string, size?: number): { code: number; stdout: string; stderr: string } {
  const file = path.join(tmp.dir, `c${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(file, toml);
  return flux(['start', ...(size !== undefined ? [`--test-size=${size}`] : []), '-c', file, 'sh', '-c', sh], { timeoutMs: 90_000 });
}

const conf = (prolog?: string, epilog?: string, extra = '') =>
  [
    '[job-manager]',
    'plugins = [ { load = "perilog.so" } ]',
    ...(prolog !== undefined ? ['[job-manager.prolog]', `command = [ "${prolog}" ]`] : []),
    ...(epilog !== undefined ? ['[job-manager.epilog]', `command = [ "${epilog}" ]`] : []),
    extra,
    '',
  ].join('\n');

/** the event names of the last job's eventlog, one line */
const EVENTS = "flux job eventlog $(flux job last) | awk '{print $2}' | tr '\\n' ' '; echo";

test('the prolog runs before the job starts, the epilog after it finishes, each in its events', () => {
  const marker = path.join(tmp.dir, 'prolog.out');
  const emarker = path.join(tmp.dir, 'epilog.out');
  const prolog = script('prolog.sh', `echo "$FLUX_JOB_ID $FLUX_JOB_USERID $FLUX_JOB_RANKS $(pwd)" > ${marker}`);
  const epilog = script('epilog.sh', `echo "epilog $FLUX_JOB_ID" > ${emarker}`);
  const r = startWith(conf(prolog, epilog), `flux jobtap list; flux run cat ${marker}; flux job id --to=f58 $(flux job last); ${EVENTS}; cat ${emarker}`);
  assert.is(r.code, 0, r.stderr);
  const [list, seen, f58, events, ep] = r.stdout.split('\n');
  assert.is(list, 'perilog.so');
  // the job read what its prolog wrote: the job's id (f58), its user, its ranks, run from /
  assert.is(seen, `${f58} ${process.getuid!()} 0 /`);
  assert.match(events!, /^submit validate depend priority alloc prolog-start prolog-finish start finish epilog-start (release )?epilog-finish (release )?free clean $/);
  assert.is(ep, `epilog ${f58}`);
});

test('[job-manager.perilog] log-ignore: matching output lines are not logged; a bad pattern is refused', () => {
  const prolog = script('chatty.sh', 'echo "noise: checking 42"; echo "keep this line"; echo "noise on stderr" >&2; echo "stderr kept" >&2');
  const r = startWith(conf(prolog, undefined, '[job-manager.perilog]\nlog-ignore = [ "^noise", "^$" ]'), "flux run true; flux dmesg | grep 'prolog: ' | sed 's/.*prolog: //'");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'keep this line\nstderr kept\n');
  const bad = startWith(conf(prolog, undefined, '[job-manager.perilog]\nlog-ignore = [ "(" ]'), 'true');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /job-manager\.perilog\.log-ignore: "\(" is not a valid regular expression/);
});

test('the event contexts and `flux jobtap load perilog` by its short name', () => {
  const prolog = script('p2.sh', 'true');
  const r = startWith(
    conf(prolog, prolog),
    'flux jobtap remove perilog; flux jobtap list; flux jobtap load perilog; flux jobtap list; flux run true; flux job eventlog $(flux job last) | grep -e -start -e -finish',
  );
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines[0], 'perilog.so');
  assert.equal(
    lines.slice(1).map((l) => l.replace(/^\S+ /, '')),
    [
      'prolog-start description="job-manager.prolog"',
      'prolog-finish description="job-manager.prolog" status=0',
      'epilog-start description="job-manager.epilog"',
      'epilog-finish description="job-manager.epilog" status=0',
    ],
  );
});

test('a failing prolog: exception type=prolog, the job never starts, its stderr in the broker log', () => {
  const ran = path.join(tmp.dir, 'ran');
  const prolog = script('fail.sh', 'echo "no scratch space" >&2; exit 3');
  const r = startWith(conf(prolog), `flux run touch ${ran}; echo "rc=$?"; ${EVENTS}; flux dmesg | grep -c 'perilog.so: .*: prolog: no scratch space'`);
  assert.is(r.code, 0, r.stderr);
  const [rc, events, logged] = r.stdout.split('\n');
  assert.is(rc, 'rc=1');
  assert.match(r.stderr, /job\.exception \S+ type=prolog severity=0 prolog failed with exit code 3\n/);
  assert.not.ok(fs.existsSync(ran), 'the job ran');
  assert.match(events!, /^submit validate depend priority alloc prolog-start prolog-finish exception free clean $/);
  assert.ok(Number(logged) >= 1, r.stdout);
});

test('a prolog past its timeout is killed (SIGKILL after kill-timeout when it ignores SIGTERM)', () => {
  const prolog = script('slow.sh', "trap '' TERM; sleep 60");
  const extra = '[job-manager.prolog]\ntimeout = "1s"\n"kill-timeout" = "0.5s"';
  const toml = conf(undefined, undefined, extra).replace('[job-manager.prolog]', `[job-manager.prolog]\ncommand = [ "${prolog}" ]`);
  const r = startWith(toml, `flux run true; echo "rc=$?"; flux job eventlog $(flux job last) | grep -e prolog-finish -e exception`);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines[0], 'rc=1');
  assert.match(lines[1]!, /prolog-finish description="job-manager.prolog" status=9$/);
  assert.match(lines[2]!, /exception type="prolog" severity=0 note="prolog timed out after 1s"/);
});

test('a job canceled during its prolog: the prolog is killed, no prolog exception, the epilog still runs', () => {
  const prolog = script('long.sh', 'exec sleep 60');
  const epilog = script('e3.sh', 'true');
  const r = startWith(
    conf(prolog, epilog),
    `id=$(flux submit true); flux job wait-event -q -t 30 $id prolog-start; flux cancel $id; flux job wait-event -q -t 30 $id clean; ${EVENTS}; flux job eventlog $id | grep -c type=.prolog; true`,
  );
  assert.is(r.code, 0, r.stderr);
  const [events, nprolog] = r.stdout.split('\n');
  assert.match(events!, /^submit validate depend priority alloc prolog-start exception prolog-finish epilog-start epilog-finish free clean $/);
  assert.is(nprolog, '0');
});

test('cancel-on-exception = false: a job canceled during its prolog lets the prolog finish', () => {
  const prolog = script('short.sh', 'sleep 2');
  const r = startWith(
    conf(prolog, undefined, 'cancel-on-exception = false'),
    `id=$(flux submit true); flux job wait-event -q -t 30 $id prolog-start; flux cancel $id; flux job wait-event -q -t 30 $id clean; ${EVENTS}; flux job eventlog $id | grep prolog-finish`,
  );
  assert.is(r.code, 0, r.stderr);
  const [events, finish] = r.stdout.split('\n');
  assert.match(events!, /^submit validate depend priority alloc prolog-start exception prolog-finish free clean $/);
  assert.match(finish!, /prolog-finish description="job-manager.prolog" status=0$/);
});

test('a failing epilog: exception type=epilog after finish, before free', () => {
  const epilog = script('efail.sh', 'exit 2');
  const r = startWith(conf(undefined, epilog), `flux run true; flux jobs -no '{result}' $(flux job last); ${EVENTS}; flux job eventlog $(flux job last) | grep exception`);
  assert.is(r.code, 0, r.stderr);
  const [result, events, exc] = r.stdout.split('\n');
  // the tasks succeeded (flux run exits 0), the job did not
  assert.is(result, 'FAILED');
  assert.match(events!, /^submit validate depend priority alloc start finish epilog-start (release )?epilog-finish (release )?exception free clean $/);
  assert.match(exc!, /exception type="epilog" severity=0 note="epilog failed with exit code 2"/);
});

test('per-rank: the prolog runs on every rank of the job', () => {
  const dir = path.join(tmp.dir, 'ranks');
  fs.mkdirSync(dir);
  const prolog = script('pr.sh', `touch ${dir}/$(flux getattr rank).$FLUX_JOB_ID`);
  const toml = conf(prolog, undefined, 'per-rank = true');
  const r = startWith(toml, 'flux run -N2 true; flux job id --to=f58 $(flux job last)', 2);
  assert.is(r.code, 0, r.stderr);
  const f58 = r.stdout.trim();
  assert.equal(fs.readdirSync(dir).sort(), [`0.${f58}`, `1.${f58}`]);
});

test('a bad [job-manager.prolog] or .epilog is refused at start in one line', () => {
  const cases: Array<[string, RegExp]> = [
    ['[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.prolog]\ncommand = "/bin/true"\n', /job-manager\.prolog\.command: must be a non-empty array of strings .*got "\/bin\/true"$/],
    ['[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.prolog]\ncommand = [ "true" ]\ntimeout = "soon"\n', /job-manager\.prolog\.timeout: "soon" is not a valid timeout/],
    ['[job-manager]\nplugins = [ { load = "perilog.so" } ]\n[job-manager.epilog]\ncommand = [ "true" ]\nper_rank = true\n', /job-manager\.epilog\.per_rank: unknown key$/],
    ['[job-manager.epilog]\ncommand = [ "true" ]\n', /\[job-manager\.epilog\] is configured but perilog\.so is not loaded/],
  ];
  for (const [toml, want] of cases) {
    const r = startWith(toml, 'echo should-not-run');
    assert.is(r.code, 1, `${toml}: ${r.stderr}`);
    assert.is(r.stdout, '');
    assert.match(ownLines(r.stderr).join('\n'), want);
    assert.is(ownLines(r.stderr).length, 1, r.stderr);
  }
});

test.run();
