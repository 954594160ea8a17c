/**
 * Signals and limits while attached: flux cancel delivers SIGTERM (143), a time
 * limit delivers SIGALRM (142), SIGTERM to flux run is forwarded (143), and two
 * Ctrl-C (SIGINT) within 2 s cancel the job.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { FLUX, ROOT, startInstance, type Instance } from '../helpers/flux';

let inst: Instance | undefined;

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
});

interface Live {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** resolves when stream text matches re */
  waitFor(which: 'out' | 'err', re: RegExp): Promise<void>;
  exit: Promise<number>;
}

/** `flux run ARGS` in the background, with its output watched. */
function runLive(args: string[]): Live {
  const proc = spawn(FLUX, ['run', ...args], {
    env: { ...process.env, ...inst!.env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  proc.stdout!.on('data', (d) => ((out += d), poke()));
  proc.stderr!.on('data', (d) => ((err += d), poke()));
  const exit = new Promise<number>((res) => proc.on('close', (code) => res(code ?? 1)));
  const waitFor = (which: 'out' | 'err', re: RegExp) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (re.test(which === 'out' ? out : err)) res();
        else if (proc.exitCode !== null) rej(new Error(`exited before ${re}: ${out} ${err}`));
        else waiters.push(check);
      };
      check();
    });
  return { proc, out: () => out, err: () => err, waitFor, exit };
}

test('flux cancel: the task gets SIGTERM, exit 143', async () => {
  const j = runLive(['-v', 'sh', '-c', 'echo started; exec sleep 30']);
  try {
    await j.waitFor('out', /started/);
    const id = /jobid: (\S+)/.exec(j.err())![1]!;
    const c = inst!.flux(['cancel', id]);
    assert.is(c.code, 0, c.stderr);
    assert.is(await j.exit, 143);
    assert.match(j.err(), new RegExp(`\\d\\.\\d{3}s: job\\.exception ${id} type=cancel severity=0 \\n`));
    assert.match(j.err(), /flux-job: task\(s\) Terminated\n$/);
  } finally {
    j.proc.kill('SIGKILL');
  }
});

test('time limit: timeout exception, SIGALRM, exit 142', () => {
  const r = inst!.flux(['run', '-t', '1s', 'sleep', '10']);
  assert.is(r.code, 142);
  assert.match(r.stderr, /^\d\.\d{3}s: job\.exception ƒ\w+ type=timeout severity=0 resource allocation expired\nflux-job: task\(s\) Alarm clock\n$/);
});

test('SIGTERM to flux run is forwarded to the tasks', async () => {
  const j = runLive(['sh', '-c', 'echo started; exec sleep 30']);
  try {
    await j.waitFor('out', /started/);
    j.proc.kill('SIGTERM');
    assert.is(await j.exit, 143);
    assert.is(j.err(), 'flux-job: task(s) Terminated\n');
  } finally {
    j.proc.kill('SIGKILL');
  }
});

test('Ctrl-C prints a hint; a second one cancels the job', async () => {
  const j = runLive(['sh', '-c', 'echo started; exec sleep 30']);
  try {
    await j.waitFor('out', /started/);
    j.proc.kill('SIGINT');
    await j.waitFor('err', /one more ctrl-C/);
    j.proc.kill('SIGINT');
    assert.is(await j.exit, 143);
    assert.match(
      j.err(),
      /^flux-job: one more ctrl-C within 2s to cancel or ctrl-Z to detach\n\d+\.\d{3}s: job\.exception ƒ\w+ type=cancel severity=0 interrupted by ctrl-C\nflux-job: task\(s\) Terminated\n$/,
    );
  } finally {
    j.proc.kill('SIGKILL');
  }
});

test('exit-timeout: the other tasks are ended that long after the first exits (default 30s; none keeps them)', () => {
  let r = inst!.flux(['run', '-n2', '-o', 'exit-timeout=0.3s', 'sh', '-c', 'if [ $FLUX_TASK_RANK = 0 ]; then exit 0; fi; sleep 30; echo survived']);
  assert.is(r.code, 143);
  assert.match(r.stderr, /job\.exception \S+ type=exec severity=0 doom: first task \(rank 0 on host \S+\) exited 0\.300s ago\n/);
  assert.is(r.stdout, '');
  // rank 1 goes on until rank 0 is gone (its pid in the job's tmpdir, polled), then ends by itself
  const body =
    'f=$FLUX_JOB_TMPDIR/rank0; if [ $FLUX_TASK_RANK = 0 ]; then echo $$ >$f; exit 0; fi; ' +
    'until [ -s $f ] && ! kill -0 $(cat $f) 2>/dev/null; do sleep 0.05; done; echo survived';
  r = inst!.flux(['run', '-n2', '-o', 'exit-timeout=none', 'sh', '-c', body]);
  assert.equal([r.code, r.stdout], [0, 'survived\n']);
});

test('exit-on-error: a failing task ends the job at once', () => {
  const r = inst!.flux(['run', '-n2', '-o', 'exit-on-error', 'sh', '-c', 'if [ $FLUX_TASK_RANK = 1 ]; then exit 3; fi; sleep 30']);
  assert.is(r.code, 143);
  assert.match(r.stderr, /doom: rank 1 on host \S+ exited with status 3 and exit-on-error is set\n/);
});

test.run();
