/**
 * The warm client pool passes every descriptor the command inherited, at its
 * number (native/flux-launch.c, native/pool-adopt.h): `3<file`, bash's
 * /dev/fd/63 of a `<(...)`, a high number, read by the command itself, give
 * what FLUX_CLI_POOL=0 gives, and a warm client serves them. When a number is
 * one of the client's own, it declines and the command runs in a fresh Node,
 * with the same result. A program the command starts inherits what it would
 * from a fresh process, nothing of the client's. A pool of another protocol
 * version (an instance that runs across an upgrade) is not used.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { run, startInstance, tmpdir, type Instance, type Result } from '../helpers/flux';

let inst: Instance;
const tmp = tmpdir('flux-t0700-');
const rules = path.join(tmp.dir, 'rules');

interface Stats {
  idle: number;
  served: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** the pool's counters, asked without the pool */
function stats(): Stats {
  const r = inst.flux(['module', 'stats', 'cli-pool'], { env: { FLUX_CLI_POOL: '0' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Stats;
}

/** wait until both warm clients are loaded again */
async function refilled(): Promise<Stats> {
  for (let k = 0; k < 300; k++) {
    const s = stats();
    if (s.idle >= 2) return s;
    await sleep(50);
  }
  throw new Error('the pool did not refill');
}

/** bash -c SCRIPT in the instance, through the pool (1) or not (0) */
function bash(script: string, pool: 0 | 1): Result {
  return run('bash', ['-c', script], { env: { ...inst.env, FLUX_CLI_POOL: String(pool) }, cwd: tmp.dir });
}

/** SCRIPT through the pool and without it: the same result; and whether a warm client ran it */
async function both(script: string): Promise<{ r: Result; served: boolean }> {
  const before = (await refilled()).served;
  const warm = bash(script, 1);
  const served = (await refilled()).served > before;
  const cold = bash(script, 0);
  assert.equal(warm, cold, script);
  return { r: warm, served };
}

test.before(async () => {
  fs.writeFileSync(rules, 'FOO=from-a-file\n');
  inst = await startInstance();
});
test.after(async () => {
  try {
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

test('3<file: the command reads /dev/fd/3, served by a warm client', async () => {
  const { r, served } = await both(`flux run --env=^/dev/fd/3 printenv FOO 3<${rules}`);
  assert.equal(r, { stdout: 'from-a-file\n', stderr: '', code: 0 });
  assert.ok(served, 'a warm client took the command');
});

test("bash's <(...) is /dev/fd/63", async () => {
  const { r, served } = await both('flux run --env="^"<(echo FOO=substituted) printenv FOO');
  assert.equal(r, { stdout: 'substituted\n', stderr: '', code: 0 });
  assert.ok(served, 'a warm client took the command');
});

test('a high number (exec 200<file) and a write end (30>out)', async () => {
  const { r, served } = await both(`exec 200<${rules}; flux run --env=^/dev/fd/200 printenv FOO`);
  assert.equal(r, { stdout: 'from-a-file\n', stderr: '', code: 0 });
  assert.ok(served);
  // a write end: what the command runs (flux env CMD) writes through fd 30
  // (Node marks 0-16 close-on-exec at start, so a child inherits only higher ones)
  for (const pool of [1, 0] as const) {
    const out = path.join(tmp.dir, `fd30-${pool}`);
    const k = bash(`exec 30>${out}; flux env sh -c 'echo written-through-30 >/dev/fd/30'`, pool);
    assert.is(k.code, 0, k.stderr);
    assert.is(fs.readFileSync(out, 'utf8'), 'written-through-30\n', `pool=${pool}`);
  }
});

test("a number that is the client's own: it declines, a fresh Node runs the command", async () => {
  // 3..20 open: some of them are the warm client's event loop descriptors
  const opens = Array.from({ length: 18 }, (_, i) => `${i + 3}<${rules}`).join(' ');
  const { r, served } = await both(`flux run --env=^/dev/fd/12 printenv FOO ${opens}`);
  assert.equal(r, { stdout: 'from-a-file\n', stderr: '', code: 0 });
  assert.not.ok(served, 'no warm client took it');
  // and the pool still serves the next command
  const next = await both(`flux run --env=^/dev/fd/3 printenv FOO 3<${rules}`);
  assert.ok(next.served);
});

test('what a program the command starts inherits is what a fresh process gives it', async () => {
  // Node marks 0-16 close-on-exec as it starts; 40 stays open for the child; nothing of the client's leaks
  const { r, served } = await both(`exec 3<${rules} 40<${rules}; flux env sh -c 'ls /proc/self/fd'`);
  const fds = r.stdout.trim().split('\n');
  assert.ok(fds.includes('40'), r.stdout);
  // 3 is ls's own directory: the command's 3 is close-on-exec, as in a fresh Node
  assert.is(fds.filter((f) => Number(f) > 2 && Number(f) < 17).length, 1, r.stdout);
  assert.ok(served);
});

test('a pool of protocol version 1 (an older build) gets nothing: the command runs in Node', async () => {
  // a listener that says the version 1 hello ("FLXP") and records what it receives
  const dir = path.join(tmp.dir, 'old');
  fs.mkdirSync(dir);
  fs.symlinkSync(inst.uri.slice('local://'.length), path.join(dir, 'local-0'));
  const log = path.join(dir, 'received');
  fs.writeFileSync(log, '');
  const fake = spawn(
    process.execPath,
    [
      '-e',
      `const net = require('net'), fs = require('fs');
       net.createServer((c) => {
         const h = Buffer.alloc(8); h.writeUInt32LE(0x50584c46, 0); h.writeUInt32LE(process.pid, 4); c.write(h);
         c.on('data', (d) => fs.appendFileSync(process.argv[2], d)); c.on('error', () => undefined);
       }).listen(process.argv[1], () => process.stdout.write('ready\\n'));`,
      path.join(dir, 'local-0.pool'),
      log,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise((resolve, reject) => {
      fake.on('exit', (code) => reject(new Error(`the fake pool exited (${code})`)));
      fake.stdout.once('data', resolve);
    });
    const r = run('flux', ['getattr', 'size'], { env: { FLUX_URI: `local://${dir}/local-0`, FLUX_CLI_POOL: '1' } });
    assert.equal(r, { stdout: '1\n', stderr: '', code: 0 });
    assert.is(fs.readFileSync(log, 'utf8'), '', 'no command line, no environment');
  } finally {
    fake.kill('SIGKILL');
  }
});

test.run();
