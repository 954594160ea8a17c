/**
 * SIGTERM to `flux start --test-size=4` shuts the instance down in order: rank 0
 * ends its initial program and cancels the jobs, so a job's tasks on every rank
 * get SIGTERM (not only rank 0's), nested instances (flux batch, flux alloc)
 * shut down and remove their rundir and statedir, and flux start exits as its
 * initial program did (129: the broker ends it with SIGHUP). A broker given
 * several signals (a nested one, as its job is canceled) still shuts down in
 * order: a repeat never ends it at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FLUX, ROOT, tmpdir } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const started = new Set<ChildProcess>();
const dirs: Array<{ cleanup(): void }> = [];

interface Front {
  proc: ChildProcess;
  err: () => string;
  exited: Promise<number>;
}

/** `flux start --test-size=4 sh -c SCRIPT` in its own process group, in cwd, with env */
function startFront(script: string, cwd: string, env: Record<string, string> = {}): Front {
  const proc = spawn(FLUX, ['start', '--test-size=4', 'sh', '-c', script], {
    env: { ...process.env, ...env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    cwd,
  });
  started.add(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((res) =>
    proc.on('close', (code, sig) => {
      started.delete(proc);
      res(code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0));
    }),
  );
  return { proc, err: () => err, exited };
}

/** everything this file started, on failure too */
function killAll(): void {
  for (const p of started) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  started.clear();
}

const ls = (d: string) => fs.readdirSync(d).sort();

test.after(() => {
  killAll();
  for (const d of dirs.splice(0)) d.cleanup();
});

/** a size-4 instance running a -N4 job whose tasks, once all up, write trap.RANK in `marks` on SIGTERM */
async function startTrapJob(): Promise<{ front: Front; marks: string }> {
  const t = tmpdir('flux-ts-t0603-');
  dirs.push(t);
  const marks = path.join(t.dir, 'marks');
  fs.mkdirSync(marks);
  // the trap first: a task that says it is up already has it (a TERM between the two would end it without the mark)
  const task = `trap "echo t > ${marks}/trap.\\$FLUX_TASK_RANK; exit" TERM; touch ${marks}/up.$FLUX_TASK_RANK; while :; do sleep .1; done`;
  const front = startFront(`flux submit -N4 sh -c '${task}' && exec sleep 300`, t.dir);
  await waitUntil(() => ls(marks).filter((f) => f.startsWith('up.')).length === 4, { what: 'the 4 tasks up', timeoutMs: 60_000 });
  return { front, marks };
}

test('SIGTERM to flux start: a -N4 job trapping TERM gets it on all 4 ranks', async () => {
  try {
    const { front, marks } = await startTrapJob();
    process.kill(front.proc.pid!, 'SIGTERM');
    const rc = await front.exited;
    assert.equal(
      ls(marks).filter((f) => f.startsWith('trap.')),
      ['trap.0', 'trap.1', 'trap.2', 'trap.3'],
      front.err(),
    );
    assert.not.match(front.err(), /lost contact with job shell|dead to Flux/);
    assert.match(front.err(), /flux-cancel: Canceled 1 job/);
    assert.is(rc, 129, front.err());
  } finally {
    killAll();
  }
});

test('^C on a terminal (SIGINT to the whole process group): the -N4 job gets SIGTERM on all 4 ranks too', async () => {
  try {
    const { front, marks } = await startTrapJob();
    // what a terminal does with ^C: the signal goes to its foreground process group
    process.kill(-front.proc.pid!, 'SIGINT');
    await front.exited;
    assert.equal(
      ls(marks).filter((f) => f.startsWith('trap.')),
      ['trap.0', 'trap.1', 'trap.2', 'trap.3'],
      front.err(),
    );
    assert.not.match(front.err(), /lost contact with job shell|dead to Flux/);
  } finally {
    killAll();
  }
});

test('SIGTERM to flux start: nested flux batch and flux alloc leave no directories behind', async () => {
  const t = tmpdir('flux-ts-t0603-');
  dirs.push(t);
  const tmp = path.join(t.dir, 'tmp');
  const marks = path.join(t.dir, 'marks');
  fs.mkdirSync(tmp);
  fs.mkdirSync(marks);
  const batch = path.join(t.dir, 'batch.sh');
  fs.writeFileSync(batch, `#!/bin/sh\ntouch ${marks}/batch\nexec sleep 3010\n`, { mode: 0o755 });
  const script =
    `flux batch -N1 ${batch} && ` +
    `flux alloc -N1 sh -c 'touch ${marks}/alloc; exec sleep 3010' </dev/null`;
  const front = startFront(script, t.dir, { TMPDIR: tmp });
  try {
    await waitUntil(() => ls(marks).length === 2, { what: 'both nested instances running their initial program', timeoutMs: 60_000 });
    process.kill(front.proc.pid!, 'SIGTERM');
    const rc = await front.exited;
    assert.equal(ls(tmp), [], front.err());
    assert.match(front.err(), /flux-cancel: Canceled 2 jobs/);
    assert.is(rc, 129, front.err());
  } finally {
    killAll();
  }
});

test('SIGTERM, SIGINT and SIGHUP at once to a broker: it still shuts down in order and removes its directories', async () => {
  const t = tmpdir('flux-ts-t0603-');
  dirs.push(t);
  const tmp = path.join(t.dir, 'tmp');
  fs.mkdirSync(tmp);
  const proc = spawn(FLUX, ['start', 'sh', '-c', `touch ${t.dir}/up; exec sleep 300`], {
    env: { ...process.env, TMPDIR: tmp, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  started.add(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((res) => proc.on('close', (code) => res(code ?? -1)));
  try {
    await waitUntil(() => fs.existsSync(path.join(t.dir, 'up')), { what: 'the initial program running', timeoutMs: 30_000 });
    // a size-1 `flux start` runs the broker in its own process: the signals reach it directly
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.kill(proc.pid!, sig);
    const rc = await exited;
    assert.equal(ls(tmp), [], err);
    assert.is(rc, 129, err);
  } finally {
    killAll();
  }
});

test.run();
