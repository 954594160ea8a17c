/** flux exec through rexec: output, labels, stdin, cwd, exit codes, Flux's errors, kill on disconnect. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FLUX, processAlive, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir();

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

test('runs on every rank; stdout and stderr relayed', () => {
  const r = inst.flux(['exec', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal([r.code, r.stdout, r.stderr], [0, 'out\n', 'err\n']);
});

test('the remote runs in our cwd with our environment', () => {
  const r = inst.flux(['exec', 'sh', '-c', 'pwd; echo $EXEC_TEST_VAR'], { cwd: tmp.dir, env: { EXEC_TEST_VAR: 'v42' } });
  assert.is(r.stdout, `${fs.realpathSync(tmp.dir)}\nv42\n`);
});

test('-l labels lines with the rank', () => {
  const r = inst.flux(['exec', '-l', 'printf', 'a\\nb\\n']);
  assert.equal([r.code, r.stdout], [0, '0: a\n0: b\n']);
});

test('stdin is broadcast; -n gives /dev/null', () => {
  let r = inst.flux(['exec', 'cat'], { input: 'line one\nline two\n' });
  assert.equal([r.code, r.stdout], [0, 'line one\nline two\n']);
  r = inst.flux(['exec', '-n', 'cat'], { input: 'ignored\n' });
  assert.equal([r.code, r.stdout], [0, '']);
});

test('-d DIR, and a missing DIR falls back to /tmp', () => {
  let r = inst.flux(['exec', '-d', '/', 'pwd']);
  assert.is(r.stdout, '/\n');
  r = inst.flux(['exec', '-d', '/nonexistent', 'pwd']);
  assert.equal([r.code, r.stdout], [0, '/tmp\n']);
  assert.is(r.stderr, 'Could not change dir to /nonexistent: No such file or directory. Going to /tmp instead\n');
});

test('exit codes: the remote code, with a summary unless -q', () => {
  let r = inst.flux(['exec', 'sh', '-c', 'exit 3']);
  assert.equal([r.code, r.stderr], [3, '0: Exit 3\n']);
  r = inst.flux(['exec', '-q', 'sh', '-c', 'exit 3']);
  assert.equal([r.code, r.stderr], [3, '']);
  r = inst.flux(['exec', 'sh', '-c', 'kill -9 $$']);
  assert.equal([r.code, r.stderr], [137, '0: Killed\n']);
});

test('launch failures: 127 and 126 with Flux lines', () => {
  let r = inst.flux(['exec', '-r', '0', '/nonexistent/cmd']);
  assert.equal([r.code, r.stderr], [127, 'flux-exec: Error: rank 0: /nonexistent/cmd: error launching process: No such file or directory\n']);
  const f = path.join(tmp.dir, 'noexec');
  fs.writeFileSync(f, 'echo hi\n', { mode: 0o644 });
  r = inst.flux(['exec', f]);
  assert.equal([r.code, r.stderr], [126, `flux-exec: Error: rank 0: ${f}: error launching process: Permission denied\n`]);
});

test('rank selection errors', () => {
  let r = inst.flux(['exec', '-r', '5', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: One or more invalid --ranks specified: 5\n']);
  r = inst.flux(['exec', '-r', 'foo', 'true']);
  assert.equal([r.code, r.stderr], [1, "flux-exec: failed to decode idset 'foo': Invalid argument\n"]);
  r = inst.flux(['exec', '-x', '0', 'true']);
  assert.equal([r.code, r.stderr], [1, 'flux-exec: No targets specified\n']);
  r = inst.flux(['exec', '-r', 'all', 'true']);
  assert.is(r.code, 0);
  r = inst.flux(['exec']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Usage: flux-exec \[OPTIONS\] COMMANDS\.\.\.\n/);
});

test('options end at the command: its own options are its own', () => {
  const r = inst.flux(['exec', 'sh', '-c', 'echo -n x; echo -l']);
  assert.equal([r.code, r.stdout], [0, 'x-l\n']);
});

test('killing flux exec kills the remote process (rexec disconnect)', async () => {
  const pidfile = path.join(tmp.dir, 'sleep.pid');
  const child = spawn(FLUX, ['exec', '-n', 'sh', '-c', `echo $$ > ${pidfile}; exec sleep 300`], {
    env: { ...process.env, ...inst.env },
    stdio: 'ignore',
  });
  try {
    // the remote runs once the file has its pid
    const pid = await waitUntil(() => Number(fs.existsSync(pidfile) ? fs.readFileSync(pidfile, 'utf8') : 0), { what: `a pid in ${pidfile}` });
    const gone = new Promise<void>((r) => child.on('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
    await waitUntil(() => !processAlive(pid), { what: `the remote process ${pid} to be killed` });
  } finally {
    child.kill('SIGKILL');
  }
});

test('size 3: per-rank brokers, rank targets, summary, remote kill on disconnect', async () => {
  const big = await startInstance(['--test-size=3']);
  try {
    let r = big.flux(['exec', '-l', 'flux', 'getattr', 'rank']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').sort(), ['0: 0', '1: 1', '2: 2']);
    r = big.flux(['exec', 'sh', '-c', 'exit $(flux getattr rank)']);
    assert.equal([r.code, r.stderr], [2, '1: Exit 1\n2: Exit 2\n']);
    r = big.flux(['exec', '-r', '1-2', '-x', '2', '-l', 'cat'], { input: 'to one\n' });
    assert.equal([r.code, r.stdout], [0, '1: to one\n']);
    r = big.flux(['exec', '-r', '3', 'true']);
    assert.equal([r.code, r.stderr], [1, 'flux-exec: One or more invalid --ranks specified: 3\n']);
    r = big.flux(['ping', '-c', '1', '2']);
    assert.match(r.stdout, /^flux-ping 2!broker\n2!broker\.ping pad=0 seq=0 time=/);

    const pidfile = path.join(tmp.dir, 'remote.pid');
    const child = spawn(FLUX, ['exec', '-n', '-r', '2', 'sh', '-c', `echo $$ > ${pidfile}; exec sleep 300`], {
      env: { ...process.env, ...big.env },
      stdio: 'ignore',
    });
    try {
      const pid = await waitUntil(() => Number(fs.existsSync(pidfile) ? fs.readFileSync(pidfile, 'utf8') : 0), { what: `a pid in ${pidfile}` });
      child.kill('SIGKILL');
      await waitUntil(() => !processAlive(pid), { what: `the remote process ${pid} on rank 2 to be killed` });
    } finally {
      child.kill('SIGKILL');
    }
    assert.is(await big.stop(), 0);
  } finally {
    big.kill();
  }
});

test('--with-imp is refused in one line (flux-ts\'s IMP has no run command); nothing runs', () => {
  const r = inst.flux(['exec', '--with-imp', 'echo', 'ran']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', 'flux-exec: --with-imp is not supported: the flux-ts IMP has no run command (flux-imp(8))\n']);
});

test('output larger than any buffer reaches a slow reader whole: the remote process waits for it (flow control)', () => {
  // 48 MiB through a reader that starts late: without flow control the broker dropped the client
  const r = inst.flux(['exec', '-r', '0', 'sh', '-c', 'flux exec -r 0 head -c 48M /dev/zero | (sleep 2; wc -c)'], { timeoutMs: 120_000 });
  assert.equal([r.code, r.stdout.trim(), r.stderr], [0, String(48 << 20), '']);
});

test('stdin larger than any buffer reaches a process that reads it late, whole', () => {
  const r = inst.flux(['exec', '-r', '0', 'sh', '-c', 'head -c 24M /dev/urandom >in.dat && flux exec -r 0 sh -c "sleep 1; cat" <in.dat | cmp - in.dat && echo same'], { cwd: tmp.dir, timeoutMs: 120_000 });
  assert.equal([r.code, r.stdout, r.stderr], [0, 'same\n', '']);
});

test.run();
