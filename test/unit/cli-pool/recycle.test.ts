/**
 * What a warm client checks and puts back between two commands
 * (cli/pool/recycle.ts): each thing a command may leave either makes the
 * client exit (mustExit names it) or is undone by restore().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Baseline } from '../../../cli/pool/recycle';

/*
 * A pipe on stdout or stderr (the test runner's) is a handle that counts as
 * left behind, as the command's own stdio would: the checks run in a child
 * whose output goes to a file, as a warm client's does once its command's
 * streams are closed.
 */
if (process.env['RECYCLE_TEST_CHILD'] !== '1') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recycle-'));
  const out = path.join(dir, 'out');
  const fd = fs.openSync(out, 'w');
  const r = spawnSync(process.execPath, [__filename], { stdio: ['ignore', fd, fd], env: { ...process.env, RECYCLE_TEST_CHILD: '1' }, timeout: 60_000 });
  fs.closeSync(fd);
  process.stdout.write(fs.readFileSync(out, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = r.status === 0 ? 0 : 1;
} else {
  run();
}

function run(): void {

let base: Baseline;

/** let closing handles finish closing */
const tick = () => new Promise<void>((r) => setImmediate(r));

/** the test runner's own output handed to the kernel (a pipe with writes pending is an active handle) */
async function quiet(): Promise<void> {
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  await new Promise<void>((r) => process.stderr.write('', () => r()));
  await tick();
}

test.before(() => {
  base = new Baseline();
  base.startCommand();
});

test('an idle process has nothing to report', async () => {
  await quiet();
  assert.is(base.mustExit(), undefined);
  assert.is(base.leakedFd([]), undefined);
});

test('a timer left running, ref\'d or not, is a reason to exit; cleared, it is not', async () => {
  await quiet();
  const t = setTimeout(() => undefined, 60_000);
  assert.match(base.mustExit() ?? '', /left .*Timeout/);
  t.unref();
  assert.is(base.mustExit(), "left an unref'd timer");
  clearTimeout(t);
  assert.is(base.mustExit(), undefined);
  base.startCommand();
});

test('a file left open is a reason to exit; the launcher numbers are not', () => {
  const fd = fs.openSync(__filename, 'r');
  try {
    assert.match(base.leakedFd([]) ?? '', new RegExp(`^left descriptor ${fd} `));
    assert.is(base.leakedFd([fd]), undefined);
  } finally {
    fs.closeSync(fd);
  }
  assert.is(base.leakedFd([]), undefined);
});

test("an 'exit' listener must run: a reason to exit; other listeners are removed by restore()", async () => {
  await quiet();
  const onExit = () => undefined;
  process.on('exit', onExit);
  assert.is(base.mustExit(), "added a process 'exit' listener");
  process.removeListener('exit', onExit);
  const onInt = () => undefined;
  process.on('SIGUSR2', onInt);
  process.on('warning', onInt);
  assert.is(base.mustExit(), undefined);
  base.restore();
  assert.is(process.listenerCount('SIGUSR2'), 0);
  assert.ok(!process.listeners('warning').includes(onInt));
});

test('a global the command defined is a reason to exit', async () => {
  await quiet();
  (globalThis as Record<string, unknown>)['leftByACommand'] = 1;
  assert.is(base.mustExit(), 'defined the global leftByACommand');
  delete (globalThis as Record<string, unknown>)['leftByACommand'];
  assert.is(base.mustExit(), undefined);
});

test('restore() puts back env, cwd, umask, exit code, argv and title', () => {
  const env = { ...process.env };
  const cwd = process.cwd();
  const mask = process.umask();
  const argv = [...process.argv];
  process.env['LEFT_BY_A_COMMAND'] = 'x';
  delete process.env['PATH'];
  process.chdir(os.tmpdir());
  process.umask(0o077);
  process.exitCode = 3;
  process.argv.push('extra');
  process.title = 'flux';
  base.restore();
  assert.equal({ ...process.env }, env);
  assert.is(process.cwd(), cwd);
  assert.is(process.umask(), mask);
  assert.is(process.exitCode, undefined);
  assert.equal(process.argv, argv);
});

test.run();
}
