/**
 * A job's output can never hurt the broker (issue 9). --output to /dev/full
 * (ENOSPC), /proc/version (EIO), a full filesystem or a missing directory
 * fails the job with one exception line naming the path and the error; the
 * broker keeps serving and the next job runs. A FIFO without a reader (output)
 * or writer (input) makes only that job wait, never the broker: other jobs
 * run, `flux cancel` ends it, SIGTERM stops the instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, run, startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir('flux-t0610-');
const isRoot = process.getuid?.() === 0;

async function waitFor(cond: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

const state = (id: string) => inst!.flux(['jobs', '-n', '-o', '{state}', id]).stdout.trim();
const fifo = (name: string) => {
  const p = path.join(tmp.dir, name);
  spawnSync('mkfifo', [p]);
  return p;
};

/** the broker answers and runs the next job */
function assertServing(): void {
  const r = inst!.flux(['run', 'echo', 'alive']);
  assert.is(r.stdout, 'alive\n', r.stderr);
  assert.is(r.code, 0);
}

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
  tmp.cleanup();
});

/**
 * A fatal exception while `echo` runs: echo may have exited already (exit 1,
 * nothing more) or be stopped by the exception (143 and `task(s) Terminated`);
 * which one is a race of microseconds, in Flux too.
 */
function assertExceptionEnd(r: { code: number; stderr: string }): void {
  const lines = r.stderr.split('\n').filter(Boolean);
  if (r.code === 143) assert.equal(lines.slice(3), ['flux-job: task(s) Terminated'], r.stderr);
  else {
    assert.is(r.code, 1, r.stderr);
    assert.is(lines.length, 3, r.stderr);
  }
}

const exceptionLine = (note: string) => new RegExp(`^\\d+\\.\\d{3}s: job\\.exception ƒ\\w+ type=exec severity=0 ${note}$`, 'm');

test('--output=/dev/full: one exception line (No space left on device), the broker keeps serving', () => {
  const r = inst!.flux(['run', '--output=/dev/full', 'echo', 'hi']);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.slice(0, 2), ['0: stdout redirected to /dev/full', '0: stderr redirected to /dev/full'], r.stderr);
  assert.match(lines[2] ?? '', exceptionLine("error writing output file '/dev/full': No space left on device"), r.stderr);
  assertExceptionEnd(r);
  assertServing();
});

test('--output=/proc/version: the write error (EIO) or open error names the path', () => {
  const r = inst!.flux(['run', '--output=/proc/version', 'echo', 'hi']);
  assertExceptionEnd(r);
  const note = isRoot
    ? "error writing output file '/proc/version': Input/output error"
    : "error opening output file '/proc/version': Permission denied";
  assert.match(r.stderr, exceptionLine(note));
  assert.is(r.stderr.split('\n').filter((l) => l.includes('job.exception')).length, 1, r.stderr);
  assertServing();
});

test('--output in a missing directory: the job does not run, one exception line', () => {
  const marker = path.join(tmp.dir, 'ran');
  const r = inst!.flux(['run', '--output=/nonexistent/dir/out', 'touch', marker]);
  assert.is(r.code, 1);
  assert.match(r.stderr, exceptionLine("error opening output file '/nonexistent/dir/out': No such file or directory"));
  assert.not.ok(fs.existsSync(marker), 'the task ran');
  assertServing();
});

const fullFs = isRoot ? test : test.skip;
fullFs('--output on a full filesystem: the job fails (ENOSPC), its tasks are stopped, the broker serves', () => {
  const mnt = path.join(tmp.dir, 'small');
  fs.mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
  assert.is(m.status, 0, m.stderr);
  try {
    const out = path.join(mnt, 'out');
    const r = inst!.flux(['run', `--output=${out}`, 'yes']);
    assert.is(r.code, 143, r.stderr);
    assert.match(r.stderr, exceptionLine(`error writing output file '${out}': No space left on device`));
    assert.match(r.stderr, /flux-job: task\(s\) Terminated\n$/);
    assertServing();
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('--output to a FIFO without a reader: the job waits, the broker serves; a reader gets the output', async () => {
  const f = fifo('out.fifo');
  const id = inst!.flux(['submit', `--output=${f}`, 'echo', 'via-fifo']).stdout.trim();
  assert.ok(await waitFor(() => state(id) === 'RUN'), state(id));
  assertServing();
  const reader = spawn('cat', [f], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  reader.stdout.on('data', (d) => (got += d));
  const rc = await new Promise<number>((res) => reader.on('close', (c) => res(c ?? 1)));
  assert.is(rc, 0);
  assert.is(got, 'via-fifo\n');
  const a = inst!.flux(['job', 'attach', id]);
  assert.is(a.code, 0, a.stderr);
});

test('--output to a FIFO without a reader: flux cancel ends the job', async () => {
  const f = fifo('cancel.fifo');
  const id = inst!.flux(['submit', `--output=${f}`, 'sleep', '100']).stdout.trim();
  assert.ok(await waitFor(() => state(id) === 'RUN'), state(id));
  assert.is(inst!.flux(['cancel', id]).code, 0);
  assert.ok(await waitFor(() => state(id) === 'INACTIVE'), state(id));
  const a = inst!.flux(['job', 'attach', id]);
  assert.is(a.code, 1);
  assert.match(a.stderr, /job\.exception ƒ\w+ type=cancel severity=0/);
  assertServing();
});

test('--output to a FIFO whose reader stopped reading: the tasks wait, flux cancel still ends the job', async () => {
  const f = fifo('stuck.fifo');
  // a reader that opens the FIFO and never reads it
  const reader = spawn('sh', ['-c', `exec sleep 300 < ${f}`], { stdio: 'ignore', detached: true });
  try {
    const id = inst!.flux(['submit', `--output=${f}`, 'yes']).stdout.trim();
    assert.ok(await waitFor(() => state(id) === 'RUN'), state(id));
    assertServing();
    assert.is(inst!.flux(['cancel', id]).code, 0);
    assert.ok(await waitFor(() => state(id) === 'INACTIVE', 30_000), state(id));
    assertServing();
  } finally {
    process.kill(-reader.pid!, 'SIGKILL');
  }
});

test('--input from a FIFO without a writer: the job waits, the broker serves; a writer feeds it', async () => {
  const f = fifo('in.fifo');
  const id = inst!.flux(['submit', `--input=${f}`, 'cat']).stdout.trim();
  assert.ok(await waitFor(() => state(id) === 'RUN'), state(id));
  assertServing();
  const w = run('sh', ['-c', `echo hello-in > ${f}`]);
  assert.is(w.code, 0, w.stderr);
  const a = inst!.flux(['job', 'attach', id]);
  assert.is(a.stdout, 'hello-in\n');
  assert.is(a.code, 0, a.stderr);
});

test('SIGTERM reaches a broker whose job waits on a FIFO', async () => {
  const other = await startInstance();
  try {
    const f = fifo('term.fifo');
    const id = other.flux(['submit', `--output=${f}`, 'echo', 'x']).stdout.trim();
    assert.ok(await waitFor(() => other.flux(['jobs', '-n', '-o', '{state}', id]).stdout.trim() === 'RUN'));
    const pid = Number(other.flux(['getattr', 'broker.pid']).stdout.trim());
    process.kill(pid, 'SIGTERM');
    assert.ok(await waitFor(() => !processAlive(pid), 20_000), 'the broker is still running');
  } finally {
    other.kill();
  }
});

test.run();
