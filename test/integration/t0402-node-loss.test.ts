/**
 * A broker lost while jobs run (size 3): the job spanning its rank fails with an
 * exception naming the job and the rank, later jobs still complete, and no task
 * process outlives its broker.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FLUX, ROOT, startInstance, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance(['--test-size=3']);
});

test.after(async () => {
  // the instance lost a broker: kill what is left
  inst?.kill();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** wait until every pid is gone (bounded; returns the survivors) */
async function gone(pids: number[], ms = 10_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('losing rank 1 fails its job with an exception naming job and rank', async () => {
  const proc = spawn(FLUX, ['run', '-v', '-N3', '--label-io', 'sh', '-c', 'echo pid=$$ broker=$(flux getattr broker.pid); exec sleep 60'], {
    env: { ...process.env, ...inst!.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exit = new Promise<number>((res) => proc.on('close', (c) => res(c ?? 1)));
  const three = new Promise<void>((res) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.split('\n').filter(Boolean).length === 3) res();
    });
  });
  proc.stderr!.on('data', (d) => (err += d));
  const tasks: number[] = [];
  try {
    await three;
    let broker1 = 0;
    for (const l of out.split('\n').filter(Boolean)) {
      // the task's own broker (its parent is its flux-task, ADR 0007)
      const m = /^(\d): pid=(\d+) broker=(\d+)$/.exec(l)!;
      tasks.push(Number(m[2]));
      if (m[1] === '1') broker1 = Number(m[3]);
    }
    assert.ok(broker1 > 0);
    const id = /jobid: (\S+)/.exec(err)![1]!;
    process.kill(broker1, 'SIGKILL');
    const code = await exit;
    assert.is(code, 143);
    assert.match(
      err,
      new RegExp(`\\d+\\.\\d{3}s: job\\.exception ${id} type=exec severity=0 lost contact with job shell on broker \\S+ \\(rank 1\\)\\n`),
    );
    assert.equal(await gone(tasks), [], 'task processes survived');
  } finally {
    proc.kill('SIGKILL');
    for (const t of tasks) if (alive(t)) process.kill(t, 'SIGKILL');
  }
});

test('a job after the loss still completes', () => {
  const r = inst!.flux(['run', '-n1', 'echo', 'ok']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'ok\n');
});

test.run();
