/**
 * flux watch: the output of jobs named or selected (-a, -A, -f, --since),
 * live and after the fact, labels (-l), verbose lines, the exit code, the
 * progress line on a terminal, and its errors — through the real command
 * against a real instance.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FLUX, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { onTerminal } from '../helpers/terminal';

let inst: Instance;
let tmp: { dir: string; cleanup(): void };

const submit = (...args: string[]): string => {
  const r = inst.flux(['submit', ...args]);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
};

test.before(async () => {
  tmp = tmpdir('flux-watch-');
  inst = await startInstance(['--test-size=1']);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('a named job: its stdout on stdout, its stderr on stderr, exit 0', () => {
  const id = submit('sh', '-c', 'echo out1; echo err1 >&2');
  const r = inst.flux(['watch', id]);
  assert.equal([r.code, r.stdout, r.stderr], [0, 'out1\n', 'err1\n']);
});

test('no selection: the error and the hint, exit 1; bad options refused', () => {
  let r = inst.flux(['watch']);
  assert.equal([r.code, r.stdout, r.stderr], [1, '', "flux-watch: ERROR: At least one job selection option is required\nTry 'flux watch --help' for more information.\n"]);
  r = inst.flux(['watch', '--since=someday']);
  assert.equal([r.code, r.stderr], [2, "flux-watch: ERROR: --since: invalid value 'someday'\n"]);
  r = inst.flux(['watch', `--since=${Math.floor(Date.now() / 1000) + 3600}`]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /appears to be in the future/);
  r = inst.flux(['watch', '--jps', '-A']);
  assert.equal([r.code, r.stderr], [1, 'flux-watch: ERROR: --jps requires --progress\n']);
  r = inst.flux(['watch', 'f1234']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /flux-watch: ERROR: JobID f1234 unknown/);
  r = inst.flux(['watch', '-f', 'nosuch']);
  assert.is(r.code, 2);
  r = inst.flux(['watch', '--progress', '-A']);
  assert.match(r.stderr, /flux-watch: WARNING: stdout is not a tty. Ignoring --progress option/);
});

test('-a follows an active job live until it ends; the largest exit code wins', async () => {
  const go = path.join(tmp.dir, 'go');
  const id = submit('sh', '-c', `echo early; while [ ! -e ${go} ]; do sleep 0.05; done; echo late; exit 5`);
  assert.is(inst.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
  let r: { code: number; stdout: string; stderr: string };
  const child = spawn(FLUX, ['watch', '-a', '-v'], { env: { ...process.env, ...inst.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  try {
    // the job's first line is copied while it still runs
    await waitUntil(() => stdout === 'early\n', { what: `early from the running job; got ${JSON.stringify(stdout + stderr)}` });
    fs.writeFileSync(go, '');
    const code = await exited;
    r = { code, stdout, stderr };
  } finally {
    child.kill('SIGKILL');
  }
  assert.is(r.code, 5, r.stderr);
  assert.is(r.stdout, 'early\nlate\n');
  assert.match(r.stderr, /^flux-watch: INFO: Watching 1 jobs\n/);
  assert.match(r.stderr, new RegExp(`${id}: \\d+\\.\\d{3}s: failed: status=1280`));
});

test('-A includes inactive jobs, -l labels lines, -f and --since select, -c limits', () => {
  const before = Date.now() / 1000;
  const a = submit('--wait', 'sh', '-c', 'echo A');
  let r = inst.flux(['watch', '-A', '-l']);
  assert.match(r.stdout, new RegExp(`^${a}: 0: A$`, 'm'));
  assert.match(r.stdout, /^ƒ\w+: 0: out1$/m);
  assert.is(r.code, 5, 'the exit 5 job is among all');
  r = inst.flux(['watch', '-f', 'completed', '-c', '1']);
  assert.equal([r.code, r.stdout], [0, 'A\n'], `${a}: only the newest completed job`);
  r = inst.flux(['watch', `--since=${before - 0.001}`]);
  assert.equal([r.code, r.stdout], [0, 'A\n']);
  r = inst.flux(['watch', '--since=-1h', '-f', 'failed']);
  assert.equal([r.code, r.stdout], [5, 'early\nlate\n']);
  r = inst.flux(['watch', '-vv', a]);
  assert.match(r.stderr, new RegExp(`${a}: \\d+\\.\\d{3}s: submit \\{`));
  assert.match(r.stderr, new RegExp(`${a}: \\d+\\.\\d{3}s: clean \n`));
});

test('a job canceled before it ran: no output, its exception, exit 1; a redirect is named', () => {
  const held = submit('--urgency=hold', 'echo', 'never');
  assert.is(inst.flux(['cancel', held]).code, 0);
  let r = inst.flux(['watch', held]);
  assert.equal([r.code, r.stdout], [1, '']);
  assert.match(r.stderr, new RegExp(`${held}: exception: type=cancel`));
  const out = path.join(tmp.dir, 'o.txt');
  const red = submit('--wait', `--output=${out}`, 'echo', 'to-file');
  r = inst.flux(['watch', red]);
  assert.equal([r.code, r.stdout], [0, '']);
  assert.match(r.stderr, new RegExp(`0: stdout redirected to ${out}`));
});

test('--progress on a terminal: the status line with counts, 100% at the end; --jps shows job/s', async () => {
  const id = submit('--wait', 'echo', 'p1');
  let t = await onTerminal(`flux watch --progress ${id}`, [], inst.env);
  assert.is(t.code, 0);
  assert.match(t.out, /p1\n/);
  assert.match(t.out, /PD:0 R:0 CD:1 F:0 │█+│ 100\.0% /);
  t = await onTerminal(`flux watch --progress --jps ${id}`, [], inst.env);
  assert.match(t.out, /100\.0% \d+\.\d job\/s/);
});

test.run();
