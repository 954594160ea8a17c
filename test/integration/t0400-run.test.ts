/**
 * flux run end to end: output, labels, exit codes (3, 127, 126, 139), file
 * redirection with {{id}}, --env, --cwd, stdin forwarding, task environment,
 * flux job attach errors, and -N3 at size 3.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { until } from '../helpers/wait';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance | undefined;
const tmp = tmpdir();
const host = () => inst!.flux(['getattr', 'hostname']).stdout.trim() || os.hostname();

test.before(async () => {
  inst = await startInstance();
});

test.after(async () => {
  if (inst) await inst.stop();
  tmp.cleanup();
});

test('flux run hostname prints the hostname', () => {
  const r = inst!.flux(['run', 'hostname']);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  assert.is(r.stdout, os.hostname() + '\n');
});

test('-n2 --label-io labels each line with the task rank', () => {
  const r = inst!.flux(['run', '-n2', '--label-io', 'hostname']);
  assert.is(r.code, 0);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), [`0: ${os.hostname()}`, `1: ${os.hostname()}`]);
});

test('a cwd that is not a directory: one line says so, the tasks run in /tmp with their tmpdir', async () => {
  const gone = `${tmp.dir}/no-such-dir`;
  const r = inst!.flux(['run', '-n2', `--cwd=${gone}`, 'sh', '-c', 'pwd; test -d "$FLUX_JOB_TMPDIR" && echo tmpdir']);
  assert.is(r.code, 0, r.stderr);
  // two tasks: their lines may interleave
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), ['/tmp', '/tmp', 'tmpdir', 'tmpdir']);
  const lines = r.stderr.split('\n').filter((l) => l.includes('Could not change dir'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, new RegExp(`: Could not change dir to ${gone}: No such file or directory\\. Going to /tmp instead$`));
  // and the job's tmpdir goes with the job (removed as its shell exits, off the loop)
  const rundir = inst!.flux(['getattr', 'rundir']).stdout.trim();
  await until(() => !fs.readdirSync(rundir).some((f) => f.startsWith('jobtmp-')), 'the job tmpdir to be removed', 10_000);
});

test('a job tmpdir is removed with the job, empty or not', async () => {
  const rundir = inst!.flux(['getattr', 'rundir']).stdout.trim();
  // one task: its parent (flux-task) removes the empty dir; one that left a file: the broker removes it whole
  for (const script of ['test -d "$FLUX_JOB_TMPDIR"', 'mkdir "$FLUX_JOB_TMPDIR/sub" && touch "$FLUX_JOB_TMPDIR/sub/left"']) {
    const r = inst!.flux(['run', 'sh', '-c', script]);
    assert.is(r.code, 0, r.stderr);
    await until(() => !fs.readdirSync(rundir).some((f) => f.startsWith('jobtmp-')), `the job tmpdir to be removed (${script})`, 10_000);
  }
});

test('a task exit code becomes the exit code', () => {
  const r = inst!.flux(['run', 'sh', '-c', 'exit 3']);
  assert.is(r.code, 3);
  assert.is(r.stderr, 'flux-job: task(s) exited with exit code 3\n');
});

test('false exits 1', () => {
  const r = inst!.flux(['run', 'false']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-job: task(s) exited with exit code 1\n');
});

test('a missing command: FATAL log, exec exception, exit 127', () => {
  const r = inst!.flux(['run', '/nonexistent/cmd']);
  assert.is(r.code, 127);
  const h = host();
  const note = `task 0 \\(host ${h}\\): start failed: /nonexistent/cmd: No such file or directory`;
  assert.match(
    r.stderr,
    new RegExp(
      `^\\d+\\.\\d{3}s: flux-shell\\[0\\]: FATAL: ${note}\\n` +
        `\\d+\\.\\d{3}s: job\\.exception ƒ\\w+ type=exec severity=0 ${note}\\n` +
        'flux-job: task\\(s\\) exited with exit code 127\\n$',
    ),
    r.stderr,
  );
});

test('a file that is not executable exits 126', () => {
  const r = inst!.flux(['run', '/etc/passwd']);
  assert.is(r.code, 126);
  assert.match(r.stderr, /start failed: \/etc\/passwd: Permission denied\n/);
});

test('a signaled task exits 128+signo with strsignal text', () => {
  const r = inst!.flux(['run', '-N1', 'sh', '-c', 'kill -SEGV $$']);
  assert.is(r.code, 139);
  assert.is(r.stderr, 'flux-job: task(s) Segmentation fault\n');
});

test('--output and --error write files named with {{id}}', () => {
  const r = inst!.flux(['run', '--output=out-{{id}}.txt', '--error=err-{{id}}.txt', 'sh', '-c', 'echo out; echo err >&2'], {
    cwd: tmp.dir,
  });
  assert.is(r.code, 0);
  assert.is(r.stdout, '');
  const m = /^0: stdout redirected to (out-ƒ\w+\.txt)\n0: stderr redirected to (err-ƒ\w+\.txt)\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.is(fs.readFileSync(path.join(tmp.dir, m![1]!), 'utf8'), 'out\n');
  assert.is(fs.readFileSync(path.join(tmp.dir, m![2]!), 'utf8'), 'err\n');
});

test('--output alone takes stderr too; --label-io labels the file', () => {
  const r = inst!.flux(['run', '-n2', '--label-io', '--output=both.txt', 'sh', '-c', 'echo o; echo e >&2'], { cwd: tmp.dir });
  assert.is(r.code, 0);
  assert.is(r.stderr, '[0-1]: stdout redirected to both.txt\n[0-1]: stderr redirected to both.txt\n');
  const lines = fs.readFileSync(path.join(tmp.dir, 'both.txt'), 'utf8').split('\n').filter(Boolean).sort();
  assert.equal(lines, ['0: e', '0: o', '1: e', '1: o']);
});

test('--quiet drops the redirect notices; --wait-event=NAME detaches after NAME, so the exit code is not the job\'s', () => {
  let r = inst!.flux(['run', '--quiet', '--output=quiet.txt', 'echo', 'q'], { cwd: tmp.dir });
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
  assert.is(fs.readFileSync(path.join(tmp.dir, 'quiet.txt'), 'utf8'), 'q\n');
  r = inst!.flux(['run', '--wait-event=start', 'sh', '-c', 'echo out; exit 3']);
  assert.equal([r.code, r.stdout], [0, 'out\n'], r.stderr);
  r = inst!.flux(['run', 'sh', '-c', 'echo out; exit 3']);
  assert.equal([r.code, r.stdout], [3, 'out\n'], r.stderr);
});

test('--env sets a variable for the tasks', () => {
  const r = inst!.flux(['run', '--env=FOO=bar', 'printenv', 'FOO']);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'bar\n');
});

test('--cwd runs the tasks there', () => {
  const r = inst!.flux(['run', `--cwd=${tmp.dir}`, 'pwd']);
  assert.is(r.stdout, fs.realpathSync(tmp.dir) + '\n');
});

test('the task environment names job, ranks and size', () => {
  const r = inst!.flux(['run', '-n2', '--label-io', 'sh', '-c', 'echo $FLUX_TASK_RANK $FLUX_TASK_LOCAL_ID $FLUX_JOB_SIZE $FLUX_JOB_NNODES ${FLUX_JOB_ID:+id} ${FLUX_URI:+uri}']);
  assert.is(r.code, 0);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), ['0: 0 0 2 1 id uri', '1: 1 1 2 1 id uri']);
});

test('piped stdin reaches the task', () => {
  const r = inst!.flux(['run', 'cat'], { input: 'hello\nworld\n' });
  assert.is(r.code, 0);
  assert.is(r.stdout, 'hello\nworld\n');
});

test('--input=FILE feeds the file to the tasks', () => {
  fs.writeFileSync(path.join(tmp.dir, 'in.txt'), 'from file\n');
  const r = inst!.flux(['run', '--input=in.txt', 'cat'], { cwd: tmp.dir, input: 'not this\n' });
  assert.is(r.code, 0);
  assert.is(r.stdout, 'from file\n');
});

test('--input=0 sends stdin to task 0 only', () => {
  const r = inst!.flux(['run', '-n2', '--label-io', '--input=0', 'sh', '-c', 'cat; echo done'], { input: 'x\n' });
  assert.is(r.code, 0);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), ['0: done', '0: x', '1: done']);
});

test('flux job attach: bad id and unknown job', () => {
  const a = inst!.flux(['job', 'attach', 'notanid']);
  assert.is(a.code, 1);
  assert.is(a.stderr, 'flux-job: error parsing jobid: "notanid"\n');
  const b = inst!.flux(['job', 'attach', 'f123456789']);
  assert.is(b.code, 1);
  assert.is(b.stderr, 'flux-job: Failed to attach to f123456789: No such job\n');
});

test('flux job attach replays a finished job and its exit code', () => {
  const r = inst!.flux(['run', '-v', 'sh', '-c', 'echo replay; exit 5']);
  assert.is(r.code, 5);
  const id = /jobid: (\S+)/.exec(r.stderr)![1]!;
  const a = inst!.flux(['job', 'attach', id]);
  assert.is(a.code, 5);
  assert.is(a.stdout, 'replay\n');
  assert.is(a.stderr, 'flux-job: task(s) exited with exit code 5\n');
});

test('flux run -N3 --label-io hostname at size 3', async () => {
  const big = await startInstance(['--test-size=3']);
  try {
    const r = big.flux(['run', '-N3', '--label-io', 'hostname']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter(Boolean).sort(), [0, 1, 2].map((i) => `${i}: ${os.hostname()}`));
  } finally {
    await big.stop();
  }
});

test.run();
