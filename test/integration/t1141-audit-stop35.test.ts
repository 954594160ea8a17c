/**
 * What a user's audit of options and hostile input found, as the user sees it
 * once fixed: a job's own `--env-file=` argument is the job's (Node 20 would
 * take it anywhere on its command line), `flux queue stop -m`, `flux cancel
 * -q`, `--env-remove=/REGEX` as Flux matches it, `flux jobs --sort` of an
 * unknown key, `flux resource undrain ... REASON`, and arguments, environment
 * or a working directory that are not UTF-8, refused rather than changed;
 * a nested instance that takes its job's expiration (flux job timeleft),
 * and `flux uri pid:` of its broker.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FLUX, ROOT, flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir('flux-t1141-');

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

/** `sh -c SCRIPT` in the instance's environment, flux-ts first on PATH (for bytes a JavaScript string cannot hold) */
function sh(script: string, cwd = tmp.dir): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { cwd, env: { ...process.env, ...inst.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("a job's --env-file= argument reaches the job, through a warm client or a fresh Node", () => {
  for (const pool of ['1', '0']) {
    const r = inst.flux(['run', 'echo', '--env-file=/nonexistent'], { env: { FLUX_CLI_POOL: pool } });
    assert.equal([r.code, r.stdout, r.stderr], [0, '--env-file=/nonexistent\n', ''], `FLUX_CLI_POOL=${pool}`);
  }
  // and an initial program's, through the brokers of a test instance
  const s = flux(['start', '--test-size=3', 'echo', '--env-file=/nonexistent']);
  assert.equal([s.code, s.stdout], [0, '--env-file=/nonexistent\n'], s.stderr);
});

test('flux queue stop -m REASON: the reason is shown until the queue is started', () => {
  assert.is(inst.flux(['queue', 'stop', '-m', 'maintenance at noon']).stdout, 'Scheduling is stopped: maintenance at noon\n');
  assert.is(inst.flux(['queue', 'status']).stdout, 'Job submission is enabled\nScheduling is stopped: maintenance at noon\n');
  assert.is(inst.flux(['queue', 'start']).stdout, 'Scheduling is started\n');
  assert.is(inst.flux(['queue', 'stop']).stdout, 'Scheduling is stopped\n');
  assert.is(inst.flux(['queue', 'status']).stdout, 'Job submission is enabled\nScheduling is stopped\n');
  assert.is(inst.flux(['queue', 'start']).code, 0);
});

test('flux cancel -q: no count', () => {
  inst.flux(['submit', '--urgency=hold', 'true']);
  let r = inst.flux(['cancel', '--all', '-q']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  inst.flux(['submit', '--urgency=hold', 'true']);
  r = inst.flux(['cancel', '--all']);
  assert.equal([r.code, r.stderr], [0, 'flux-cancel: Canceled 1 job (0 errors)\n']);
});

test('--env-remove=/REGEX: as Flux, the closing slash optional and the match from the start of the name; a bad one refused', () => {
  const env = { T1141_A: '1', T1141_AB: '2', XT1141_A: '3' };
  const names = (rule: string) =>
    inst
      .flux(['run', rule, 'sh', '-c', 'env | grep T1141_ | cut -d= -f1 | sort'], { env })
      .stdout.trim()
      .split('\n');
  assert.equal(names('--env-remove=/^T1141_AB'), ['T1141_A', 'XT1141_A']);
  assert.equal(names('--env-remove=/T1141_AB/'), ['T1141_A', 'XT1141_A']);
  assert.equal(names('--env-remove=/T1141_A'), ['XT1141_A']);
  assert.equal(names('--env=-/T1141_A$'), ['T1141_AB', 'XT1141_A']);
  const r = inst.flux(['run', '--env-remove=/(', 'true']);
  assert.equal([r.code, r.stderr], [1, "flux-run: ERROR: --env: invalid regular expression '/(': Unterminated group\n"]);
  const f = inst.flux(['run', '--env=^/nonexistent/rules', 'true']);
  assert.equal([f.code, f.stderr], [1, 'flux-run: ERROR: --env: /nonexistent/rules: No such file or directory\n']);
});

test('flux jobs --sort: an unknown key is refused', () => {
  for (const args of [['--sort=nosuch'], ['--sort=-name,nosuch'], ['-o', 'sort:nosuch {id}']]) {
    const r = inst.flux(['jobs', '-a', ...args]);
    assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-jobs: ERROR: Invalid sort key: nosuch\n'], args.join(' '));
  }
  assert.is(inst.flux(['jobs', '-a', '--sort=-name']).code, 0);
});

test('flux resource undrain TARGETS REASON: the reason is in the undrain event', async () => {
  assert.is(inst.flux(['resource', 'drain', '1', 'disk']).code, 0);
  assert.is(inst.flux(['resource', 'undrain', '1', 'new', 'disk']).code, 0);
  await until(() => /undrain idset="1" nodelist="[^"]+" reason="new disk"\n$/.test(inst.flux(['kvs', 'eventlog', 'get', 'resource.eventlog']).stdout), 'the undrain event in resource.eventlog');
  assert.match(inst.flux(['resource', 'eventlog']).stdout, /undrain idset="1" nodelist="[^"]+" reason="new disk"\n/);
});

test('arguments, environment and a working directory that are not UTF-8 are refused, not changed', () => {
  fs.writeFileSync(path.join(tmp.dir, 'caf\u00e9.txt'), 'x');
  let r = sh(`${FLUX} run cat "$(printf 'caf\\351.txt')"`);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-run: ERROR: argument 1 is not valid UTF-8 ("caf\uFFFD.txt"): flux-ts cannot pass it on unchanged\n']);
  r = sh(`X="$(printf 'a\\377b')" ${FLUX} submit true`);
  assert.equal([r.code, r.stdout], [1, ''], r.stderr);
  assert.match(r.stderr, /environment variable X \(drop it with --env=-X\) is not valid UTF-8 \("X=a\uFFFDb"\)/);
  r = sh(`X="$(printf 'a\\377b')" ${FLUX} run --env=-X echo ok`);
  assert.equal([r.code, r.stdout], [0, 'ok\n'], r.stderr);
  r = sh(`mkdir -p "$(printf 'd\\351')" && cd "$(printf 'd\\351')" && ${FLUX} run true`);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^flux-run: ERROR: the working directory is not valid UTF-8 \(".*d\uFFFD"\): flux-ts cannot pass it on unchanged\n$/);
});

test("an instance that is a job takes the job's expiration: timeleft inside tells it, and its jobs end no later", () => {
  const r = inst.flux([
    'alloc', '-N1', '-t', '5m', 'sh', '-c',
    'flux job timeleft; flux resource R; id=$(flux submit -t 10m true); flux job wait-event $id clean >/dev/null; flux job info $id R; id=$(flux submit true); flux job wait-event $id clean >/dev/null; flux job info $id R',
  ]);
  assert.is(r.code, 0, r.stderr);
  const [left, instR, longR, plainR] = r.stdout.trim().split('\n');
  assert.ok(Number(left) > 200 && Number(left) <= 300, `timeleft ${left}`);
  const exp = (text: string | undefined) => (JSON.parse(text ?? '{}') as { execution?: { expiration?: number } }).execution?.expiration ?? -1;
  const instance = exp(instR);
  assert.ok(instance > Date.now() / 1000 + 200, `instance expiration ${instance}`);
  // a job asking for longer, or for no limit, ends with the instance
  assert.is(exp(longR), instance);
  assert.is(exp(plainR), instance);
});

test("flux uri pid:PID of a batch or alloc job's broker is that instance's URI, not its parent's", () => {
  const id = inst.flux(['alloc', '--bg', '-N1']).stdout.trim();
  try {
    const pid = inst.flux(['proxy', id, 'flux', 'getattr', 'broker.pid']).stdout.trim();
    const local = inst.flux(['proxy', id, 'flux', 'getattr', 'local-uri']).stdout.trim();
    assert.match(pid, /^\d+$/);
    const r = inst.flux(['uri', `pid:${pid}`]);
    assert.equal([r.code, r.stdout], [0, `${local}\n`], r.stderr);
    assert.is.not(local, inst.uri);
  } finally {
    inst.flux(['shutdown', id], { timeoutMs: 20_000 });
  }
});

test('modules that take no arguments refuse one; a running broker keeps its statedir and rundir', () => {
  for (const m of ['job-manager', 'job-ingest', 'job-exec', 'rexec']) {
    const r = inst.flux(['module', 'reload', m, 'bogus=1']);
    assert.equal([r.code, r.stderr], [1, `flux-module: reload ${m}: ${m} takes no module arguments (got 'bogus=1'); the old module keeps running\n`], m);
  }
  for (const a of ['statedir', 'rundir']) {
    const before = inst.flux(['getattr', a]).stdout;
    const r = inst.flux(['setattr', '--force', a, path.join(tmp.dir, 'elsewhere')]);
    assert.equal([r.code, r.stderr], [1, `flux-setattr: ${a}: Operation not permitted\n`], a);
    assert.is(inst.flux(['getattr', a]).stdout, before);
  }
  // the modules still work
  assert.equal(inst.flux(['run', 'echo', 'ok']).stdout, 'ok\n');
});

test('-Sstatedir=DIR -Sstatedir-cleanup=1: DIR is removed at exit, as documented; without it, kept', () => {
  const gone = path.join(tmp.dir, 'sd-gone');
  let r = flux(['start', `-Sstatedir=${gone}`, '-Sstatedir-cleanup=1', 'flux', 'run', 'echo', 'hi']);
  assert.equal([r.code, r.stdout], [0, 'hi\n'], r.stderr);
  assert.not.ok(fs.existsSync(gone), `${gone} removed`);
  const kept = path.join(tmp.dir, 'sd-kept');
  r = flux(['start', `-Sstatedir=${kept}`, 'true']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(kept, 'content.lmdb')), `${kept} kept`);
});

test('flux job info ID R shows a flux update of the duration (--base: as allocated); flux job wait of a job not waitable says so', async () => {
  const id = inst.flux(['submit', '-t', '5m', 'sleep', '300']).stdout.trim();
  try {
    inst.flux(['job', 'wait-event', id, 'start']);
    const exp = (args: string[]) => (JSON.parse(inst.flux(['job', 'info', ...args, id, 'R']).stdout) as { execution: { starttime: number; expiration: number } }).execution;
    const before = exp([]);
    assert.is(inst.flux(['update', id, 'duration=10m']).code, 0);
    await until(() => exp([]).expiration > before.expiration, 'the new expiration in R');
    assert.is(Math.round(exp([]).expiration - before.starttime), 600);
    assert.is(Math.round(exp(['--base']).expiration - before.starttime), 300);
    const w = inst.flux(['job', 'wait', id]);
    assert.equal([w.code, w.stderr], [2, 'flux-job: job was not submitted with FLUX_JOB_WAITABLE\n']);
  } finally {
    inst.flux(['cancel', id]);
  }
  // an unknown job keeps Flux's other reason
  const u = inst.flux(['job', 'wait', 'f1']);
  assert.match(u.stderr, /invalid job id, or job may be inactive and not waitable/);
});

test.run();
