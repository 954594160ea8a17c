/**
 * A warm client serves commands in turn (docs/guide/cli-pool.md, "One client,
 * many commands"; ADR 0016), and nothing of one command reaches the next:
 * environment, cwd, umask, exit status, the submitter's resource limits,
 * stdio (a terminal, then a pipe, then a file), signal handlers. A command that
 * was signalled is its client's last. Each test shows that the commands ran
 * in the same client: FLUX_CLI_POOL_DEBUG=1 makes a client say on stderr
 * `flux: cli-pool: client PID command N stdio KINDS` as it takes a command, and
 * why it will not serve again when it will not. The pool has one client here,
 * so that commands typed one after another go to the same one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { FLUX, ROOT, run, processAlive, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir();

interface Stats {
  idle: number;
  pids: number[];
  busy: number;
  served: number;
  started: number;
  retired: number;
}

interface Served {
  pid: number;
  n: number;
  stdio: string;
}

interface Ran {
  stdout: string;
  code: number;
  /** the commands as the clients reported them, in order */
  served: Served[];
  /** why a client stopped serving, if one did */
  exits: string[];
  /** stderr without the clients' debug lines */
  stderr: string;
}

const DEBUG = /^flux: cli-pool: client (\d+) command (\d+) stdio (\S+)\r?$/;
const EXITS = /^flux: cli-pool: client \d+ exits: (.*?)\r?$/;

function parse(stdout: string, stderr: string, code: number): Ran {
  const served: Served[] = [];
  const exits: string[] = [];
  const rest: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = DEBUG.exec(line);
    const x = EXITS.exec(line);
    if (m) served.push({ pid: Number(m[1]), n: Number(m[2]), stdio: m[3]! });
    else if (x) exits.push(x[1]!);
    else rest.push(line);
  }
  return { stdout, code, served, exits, stderr: rest.join('\n') };
}

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...inst.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, FLUX_CLI_POOL_DEBUG: '1', ...extra };
}

/** sh -c SCRIPT in the instance, through the pool, with the clients' debug lines */
function sh(script: string, cwd = tmp.dir): Ran {
  const r = run('sh', ['-c', script], { env: env(), cwd });
  return parse(r.stdout, r.stderr, r.code);
}

function stats(): Stats {
  const r = inst.flux(['module', 'stats', 'cli-pool'], { env: { FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Stats;
}

/** watches the kvs holds now (flux job wait-event keeps one while it waits) */
function kvsWatchers(): number {
  const r = inst.flux(['module', 'stats', 'kvs'], { env: { FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { watchers: number }).watchers;
}

/** the pool's one client, idle */
function idleClient(): Promise<number> {
  return waitUntil(
    () => {
      const s = stats();
      return s.idle === 1 && s.busy === 0 ? s.pids[0] : undefined;
    },
    { what: 'the pool to have its client idle' },
  );
}

function samePid(r: Ran, n: number): number {
  assert.is(r.served.length, n, `${n} commands served: ${JSON.stringify(r.served)} ${r.stderr}`);
  const pids = new Set(r.served.map((s) => s.pid));
  assert.is(pids.size, 1, `one client served them all: ${JSON.stringify(r.served)}`);
  for (let i = 1; i < n; i++) assert.is(r.served[i]!.n, r.served[i - 1]!.n + 1, 'in turn');
  return r.served[0]!.pid;
}

const state = (id: string) => inst.flux(['jobs', '-no', '{state}', id], { env: { FLUX_CLI_POOL: '0' } }).stdout.trim();

test.before(async () => {
  const conf = path.join(tmp.dir, 'conf');
  fs.mkdirSync(conf);
  fs.writeFileSync(path.join(conf, 'pool.toml'), '[cli-pool]\nsize = 1\n');
  inst = await startInstance([`--config-path=${conf}`]);
  fs.mkdirSync(path.join(tmp.dir, 'a'));
  fs.mkdirSync(path.join(tmp.dir, 'b'));
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

test('one client serves commands one after another (no new client started)', async () => {
  const pid = await idleClient();
  const before = stats();
  const r = sh('flux getattr rank; flux getattr size; flux getattr rank');
  assert.is(r.stdout, '0\n1\n0\n');
  assert.is(samePid(r, 3), pid);
  const after = await waitUntil(() => (stats().idle === 1 ? stats() : undefined), { what: 'the client back' });
  assert.is(after.served, before.served + 3);
  assert.is(after.started, before.started, 'no client was started');
  assert.equal(after.pids, [pid]);
});

test('environment, cwd and umask are each command\'s own', async () => {
  await idleClient();
  const r = sh(
    [
      `cd ${tmp.dir}/a; umask 077; FOO=1 flux env sh -c 'echo "$FOO $(pwd) $(umask)"'`,
      `cd ${tmp.dir}/b; umask 022; flux env sh -c 'echo "\${FOO-unset} $(pwd) $(umask)"'`,
    ].join('\n'),
  );
  const real = fs.realpathSync(tmp.dir);
  assert.is(r.stdout, `1 ${real}/a 0077\nunset ${real}/b 0022\n`, r.stderr);
  samePid(r, 2);
});

test('exit status: a failed command does not make the next one fail', async () => {
  await idleClient();
  const r = sh('flux getattr nosuch; echo rc=$?; flux getattr rank; echo rc=$?; flux job id --to=hex 1234; echo rc=$?');
  assert.is(r.stdout, 'rc=1\n0\nrc=0\n0x4d2\nrc=0\n');
  assert.match(r.stderr, /flux-getattr: nosuch: No such file or directory/);
  samePid(r, 3);
});

test('without the debug lines (the status goes before the checks) a client still serves in turn, each command on its own', async () => {
  const pid = await idleClient();
  const before = stats();
  const script = [
    `cd ${tmp.dir}/a; umask 077; FOO=1 flux env sh -c 'echo "$FOO $(pwd) $(umask)"'`,
    'flux getattr nosuch 2>/dev/null; echo rc=$?',
    `cd ${tmp.dir}/b; umask 022; flux env sh -c 'echo "\${FOO-unset} $(pwd) $(umask)"'; echo rc=$?`,
  ].join('\n');
  const r = run('sh', ['-c', script], { env: env({ FLUX_CLI_POOL_DEBUG: undefined }), cwd: tmp.dir });
  const real = fs.realpathSync(tmp.dir);
  assert.is(r.stdout, `1 ${real}/a 0077\nrc=1\nunset ${real}/b 0022\nrc=0\n`, r.stderr);
  assert.is(r.stderr, '');
  const after = await waitUntil(() => (stats().idle === 1 ? stats() : undefined), { what: 'the client back' });
  assert.is(after.served, before.served + 3);
  assert.is(after.started, before.started, 'no client was started');
  assert.equal(after.pids, [pid]);
});

test("the job gets each submitter's own resource limits", async () => {
  await idleClient();
  const r = sh('ulimit -S -n 512; flux run sh -c "ulimit -n"; ulimit -S -n 256; flux run sh -c "ulimit -n"');
  assert.is(r.stdout, '512\n256\n', r.stderr);
  samePid(r, 2);
});

test('stdio made afresh: a terminal, then a pipe, then a file', async () => {
  await idleClient();
  const out = path.join(tmp.dir, 'out.txt');
  const script = `flux getattr rank; flux getattr size | cat; flux getattr rank > ${out}; flux getattr size 2>&1 | cat`;
  const r = spawnSync('script', ['-qec', `sh -c '${script}'`, '/dev/null'], { env: env(), encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  // the terminal carries stdout and the clients' lines (stderr) alike
  const ran = parse('', r.stdout.replace(/\r/g, ''), 0);
  samePid(ran, 4);
  assert.equal(
    ran.served.map((s) => s.stdio),
    ['tty,tty,tty', 'tty,pipe,tty', 'tty,file,tty', 'tty,pipe,pipe'],
  );
  assert.is(ran.stderr.trim(), '0\n1\n1'.trim());
  assert.is(fs.readFileSync(out, 'utf8'), '0\n');
});

test("a signalled command is its client's last; signal handlers do not carry over", async () => {
  try {
    await handlersDoNotCarryOver();
  } finally {
    inst.flux(['cancel', '--all'], { env: { FLUX_CLI_POOL: '0' } });
  }
});

async function handlersDoNotCarryOver(): Promise<void> {
  const pid = await idleClient();
  // flux run sets handlers for SIGINT and SIGTERM; the next command in the same client has none
  const sub = sh('flux run true; flux submit sleep 60');
  const id = sub.stdout.trim();
  assert.is(samePid(sub, 2), pid);
  await waitUntil(() => state(id) === 'RUN', { what: 'the job to run' });
  const waiter = (pool: string) => {
    const child = spawn(FLUX, ['job', 'wait-event', id, 'clean'], { env: env({ FLUX_CLI_POOL: pool }), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<[number | null, string | null, string]>((r) => child.on('exit', (c, s) => r([c, s, err])));
    return { child, exited };
  };
  // without the pool: what SIGTERM does to `flux job wait-event`
  const watching = kvsWatchers();
  const cold = waiter('0');
  await waitUntil(() => processAlive(cold.child.pid!) && stats().busy === 0, { what: 'the cold waiter to start' });
  // it has subscribed: its watch of the job's eventlog is the kvs's
  await waitUntil(() => kvsWatchers() > watching, { what: 'the cold waiter to watch the eventlog' });
  cold.child.kill('SIGTERM');
  const [cc, cs] = await cold.exited;
  // through the pool, in the client that ran flux run
  const warm = waiter('1');
  await waitUntil(() => stats().busy === 1, { what: 'the client to take wait-event' });
  warm.child.kill('SIGTERM');
  const [wc, ws, werr] = await warm.exited;
  assert.equal([wc, ws], [cc, cs], 'SIGTERM ends it as it ends a fresh process');
  const w = parse('', werr, 0);
  assert.is(w.served[0]?.pid, pid, `served by the same client: ${werr}`);
  await waitUntil(() => !processAlive(pid), { what: `client ${pid} to be gone` });
  // the next command: another client
  const next = sh('flux getattr rank');
  assert.is(next.stdout, '0\n');
  assert.is.not(next.served[0]?.pid, pid);
}

test('SIGINT: the command ends as in a fresh process, and its client serves no more', async () => {
  const pid = await idleClient();
  const child = spawn(FLUX, ['run', 'sleep', '60'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  await waitUntil(() => inst.flux(['jobs', '-no', '{state}'], { env: { FLUX_CLI_POOL: '0' } }).stdout.trim() === 'RUN', { what: 'the job to run' });
  // as Flux's: the first Ctrl-C asks for a second one within 2 s, which cancels the job
  child.kill('SIGINT');
  await waitUntil(() => err.includes('one more ctrl-C'), { what: 'flux run to ask for a second Ctrl-C' });
  child.kill('SIGINT');
  const [code] = await exited;
  assert.ok(code !== 0, `flux run ended with ${code}: ${err}`);
  const ran = parse('', err, 0);
  assert.is(ran.served[0]?.pid, pid, err);
  await waitUntil(() => !processAlive(pid), { what: `client ${pid} to be gone` });
  const s = await waitUntil(() => (stats().idle === 1 ? stats() : undefined), { what: 'a new client' });
  assert.is.not(s.pids[0], pid);
  assert.is(sh('flux getattr rank').stdout, '0\n');
  inst.flux(['cancel', '--all'], { env: { FLUX_CLI_POOL: '0' } });
});

test.run();
