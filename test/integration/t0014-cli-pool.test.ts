/**
 * The warm client pool (modules/cli-pool, native/flux-launch.c): commands typed
 * inside an instance run in a client started ahead of time, and behave exactly
 * as in a fresh Node process: stdio, tty, cwd, environment, exit status, file
 * offsets, signals. Without a pool every command still runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { FLUX, ROOT, run, processAlive, startInstance, tmpdir, type Instance, type Result } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { findProcs } from '../helpers/procs';

let inst: Instance;
const tmp = tmpdir();
const launcher = path.join(ROOT, 'dist', 'native', 'flux-launch');

interface Stats {
  size: number;
  idle: number;
  pids: number[];
  served: number;
  socket: string;
  busy: number;
  starting: number;
  started: number;
  retired: number;
  failed: number;
  unused: number;
}

/** the state of the instance's one job, asked without the pool */
const state = () => inst.flux(['jobs', '-no', '{state}'], { env: { FLUX_CLI_POOL: '0' } }).stdout.trim();

/** the pool's stats, asked without the pool (so that asking changes nothing) */
function stats(i: Instance = inst): Stats {
  const r = i.flux(['module', 'stats', 'cli-pool'], { env: { FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Stats;
}

/** wait until the pool has `n` idle clients again */
function refilled(n: number, i: Instance = inst): Promise<Stats> {
  return waitUntil(
    () => {
      const s = stats(i);
      return s.idle >= n ? s : undefined;
    },
    { what: `the pool to have ${n} idle clients` },
  );
}

const alive = processAlive;

/** sh -c SCRIPT in the instance, through the pool or (pool=0) without it */
function sh(script: string, pool: 0 | 1, input = ''): Result {
  return run('sh', ['-c', script], { env: { ...inst.env, FLUX_CLI_POOL: String(pool) }, input, cwd: tmp.dir });
}

test.before(async () => {
  inst = await startInstance();
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

test('the build made the launcher, and commands are served by warm clients', async () => {
  assert.ok(fs.existsSync(launcher), 'npm run build compiles native/flux-launch.c');
  const before = await refilled(2);
  assert.is(before.size, 2);
  assert.ok(fs.statSync(before.socket).isSocket());
  assert.is(fs.statSync(before.socket).mode & 0o777, 0o600);
  for (let k = 0; k < 3; k++) assert.is(inst.flux(['getattr', 'size']).stdout, '1\n');
  const after = await refilled(2);
  assert.is(after.served, before.served + 3, `served ${before.served} -> ${after.served}`);
  // a client serves the next command after one (t0015): the same clients are back
  assert.equal([...after.pids].sort(), [...before.pids].sort(), 'the clients served and came back');
});

test('a warm client gives what a fresh process gives: output, stderr, status, cwd, env, stdin', () => {
  const scripts = [
    'FOO=bar flux run sh -c "pwd; echo \\$FOO; echo to-stderr >&2; exit 3"',
    'flux run cat',
    'flux getattr nosuch',
    'flux nosuchcmd',
    'flux run -N 0 true',
    'flux job id --to=hex 1234',
    'flux run --label-io sh -c "echo one; echo two"',
  ];
  for (const s of scripts) {
    const warm = sh(s, 1, 'from stdin\n');
    const cold = sh(s, 0, 'from stdin\n');
    assert.equal(warm, cold, s);
  }
  const r = sh('FOO=bar flux run sh -c "pwd; echo \\$FOO; echo to-stderr >&2; exit 3"', 1);
  assert.equal(r, { stdout: `${fs.realpathSync(tmp.dir)}\nbar\n`, stderr: 'to-stderr\nflux-job: task(s) exited with exit code 3\n', code: 3 });
});

test('output files: the shell and the command share one offset (> and >>)', () => {
  const f = path.join(tmp.dir, 'seq.txt');
  let r = sh(`{ flux run echo a; echo b; flux getattr size; } > ${f}; flux run echo c >> ${f}`, 1);
  assert.is(r.code, 0, r.stderr);
  assert.is(fs.readFileSync(f, 'utf8'), 'a\nb\n1\nc\n');
  r = sh(`flux getattr size 1>&-`, 1);
  assert.is(r.code, sh(`flux getattr size 1>&-`, 0).code);
});

test('a terminal stays a terminal (flux submit --progress draws its bar)', () => {
  for (const pool of [1, 0]) {
    const r = spawnSync('script', ['-qec', 'flux submit --progress --wait true', '/dev/null'], {
      env: { ...process.env, ...inst.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, FLUX_CLI_POOL: String(pool) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /jobs: 1\/1 complete/, `pool=${pool}`);
    assert.not.match(r.stdout, /not a tty/);
  }
});

test('signals: SIGTERM reaches the command; SIGKILL of flux ends it too', async () => {
  const s = await refilled(2);
  const child = spawn(FLUX, ['run', 'sleep', '30'], { env: { ...process.env, ...inst.env }, stdio: 'ignore' });
  const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
  // the job runs once the launcher handed it over and the task started
  await waitUntil(() => state() === 'RUN', { what: 'the job to run' });
  const taken = s.pids.filter((p) => !stats().pids.includes(p));
  assert.is(taken.length, 1, 'one warm client took the command');
  child.kill('SIGTERM');
  // as without a pool: the job's tasks are terminated and flux exits 143
  assert.equal(await exited, [143, null]);
  assert.is(state(), '');

  const s2 = await refilled(2);
  const child3 = spawn(FLUX, ['run', 'sleep', '30'], { env: { ...process.env, ...inst.env }, stdio: 'ignore' });
  await waitUntil(() => state() === 'RUN', { what: 'the job to run' });
  const worker = s2.pids.filter((p) => !stats().pids.includes(p));
  assert.is(worker.length, 1);
  const gone = new Promise<void>((r) => child3.on('exit', () => r()));
  child3.kill('SIGKILL');
  await gone;
  await waitUntil(() => !alive(worker[0]!), { what: `the client running the command (${worker[0]}) to die with its launcher` });
  assert.is(inst.flux(['cancel', '--all']).code, 0);
});

test('no pool, no problem: FLUX_CLI_POOL=0, closed stdin, module removed and reloaded', async () => {
  assert.is(sh('flux getattr size', 0).stdout, '1\n');
  assert.is(sh('flux getattr size <&-', 1).stdout, '1\n');
  const sock = stats().socket;
  let r = inst.flux(['module', 'remove', 'cli-pool']);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(fs.existsSync(sock), 'the socket goes with the module');
  assert.is(inst.flux(['getattr', 'size']).stdout, '1\n');
  r = inst.flux(['module', 'load', 'cli-pool', 'size=x']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: load cli-pool: cli-pool: size: must be an integer from 0 to 64, got "x"\n']);
  r = inst.flux(['module', 'load', 'cli-pool', 'size=1']);
  assert.is(r.code, 0, r.stderr);
  const s = await refilled(1);
  assert.is(s.size, 1);
  assert.is(inst.flux(['module', 'stats', '-p', 'size', 'cli-pool']).stdout, '1\n');
  r = inst.flux(['module', 'stats', '-p', 'nosuch', 'cli-pool']);
  assert.equal([r.code, r.stderr], [1, "flux-module: `nosuch' not found in response\n"]);
  r = inst.flux(['module', 'stats', '-t', 'float', 'cli-pool']);
  assert.equal([r.code, r.stderr], [1, 'flux-module: --type=float: must be int or double\n']);
});

test('config: [cli-pool] size = 0 turns it off; a bad value is named', async () => {
  const dir = path.join(tmp.dir, 'conf');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'pool.toml'), '[cli-pool]\nsize = 0\n');
  const off = await startInstance([`--config-path=${dir}`]);
  try {
    const r = off.flux(['module', 'stats', 'cli-pool']);
    assert.is(r.code, 0, r.stderr);
    const st = JSON.parse(r.stdout) as Stats;
    assert.equal([st.size, st.idle, st.socket], [0, 0, '']);
    assert.is(off.flux(['getattr', 'size']).stdout, '1\n');
  } finally {
    await off.stop();
  }
  fs.writeFileSync(path.join(dir, 'pool.toml'), '[cli-pool]\nsize = "many"\n');
  const r = run(FLUX, ['start', `--config-path=${dir}`, 'true']);
  assert.match(r.stderr, /cli-pool\.size: must be an integer from 0 to 64, got "many"/);
});

test('back-to-back commands: every client started is alive, retired, failed or unused (counted)', async () => {
  const other = await startInstance();
  try {
    await refilled(2, other);
    // three loops at once keep both clients busy, one command after another
    const loop = 'for n in $(seq 40); do flux getattr size >/dev/null || exit 1; done';
    const r = run('sh', ['-c', `(${loop}) & (${loop}) & (${loop}); wait`], { env: other.env, timeoutMs: 240_000 });
    assert.is(r.code, 0, r.stderr);
    const broker = other.flux(['getattr', 'broker.pid'], { env: { FLUX_CLI_POOL: '0' } }).stdout.trim();
    const clients = () => findProcs({ env: ['FLUX_CLI_POOL_PARENT', broker] }).length;
    const s = await waitUntil(
      () => {
        const t = stats(other);
        return t.busy === 0 && t.starting === 0 && t.idle === 2 && t.started - t.retired - t.failed - t.unused === clients() ? t : undefined;
      },
      { what: 'the pool settled, each client it started accounted for' },
    );
    assert.ok(s.served >= 120, `served ${s.served}`);
    assert.is(s.failed, 0);
  } finally {
    await other.stop();
  }
});

test('idle clients die with their broker (SIGKILL of the instance)', async () => {
  const other = await startInstance();
  const s = await refilled(2, other);
  assert.is(s.pids.length, 2);
  other.kill();
  await waitUntil(() => !s.pids.some(alive), { what: `no warm client left behind (${s.pids.filter(alive).join(' ')})` });
});

test.run();
