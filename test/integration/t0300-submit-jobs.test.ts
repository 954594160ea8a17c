/** flux submit through the whole pipeline: ids, --cc/--bcc, --wait exit codes, exceptions, flux jobs listing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

let inst: Instance;
const F58 = /^ƒ[1-9A-HJ-NP-Za-km-z]+$/;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('submit prints one F58 id and the job completes', () => {
  const r = inst.flux(['submit', 'true']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), F58);
  const id = r.stdout.trim();
  const s = inst.flux(['job', 'status', id]);
  assert.is(s.code, 0, s.stderr);
  const e = inst.flux(['job', 'eventlog', id]);
  const names = e.stdout.trim().split('\n').map((l) => l.split(' ')[1]);
  assert.equal(names, ['submit', 'validate', 'depend', 'priority', 'alloc', 'start', 'finish', 'release', 'free', 'clean']);
});

test('--cc: one job per id, {cc} substituted, --wait exits with the largest code', () => {
  const r = inst.flux(['submit', '--cc=1-3', '--quiet', '--wait', 'sh', '-c', 'exit {cc}']);
  assert.is(r.code, 3, r.stderr);
  assert.is(r.stdout, '');
  const r2 = inst.flux(['submit', '--cc=1-3', 'true']);
  assert.is(r2.code, 0);
  const ids = r2.stdout.trim().split('\n');
  assert.is(ids.length, 3);
  for (const id of ids) assert.match(id, F58);
});

test('--cc without {cc}: 300 copies, the Nth id printed is copy N, each job with its own FLUX_JOB_CC', () => {
  // the copies are made as they are sent (slices of 128): each one's environment is its own
  const r = inst.flux(['submit', '--cc=1-300', '--wait', '--output=/dev/null', 'sh', '-c', 'exit $((FLUX_JOB_CC % 7))'], { timeoutMs: 120_000 });
  assert.is(r.code, 6, r.stderr);
  const ids = r.stdout.trim().split('\n');
  assert.is(ids.length, 300);
  const f = inst.flux(['jobs', '-a', '-no', '{id} {returncode}', ...ids]);
  assert.is(f.code, 0, f.stderr);
  const code = new Map(f.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  ids.forEach((id, i) => assert.is(code.get(id), String((i + 1) % 7), `cc=${i + 1} (${id})`));
});

test('--cc and --bcc together is an error', () => {
  const r = inst.flux(['submit', '--cc=1', '--bcc=2', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'flux-submit: ERROR: specify only one of --cc or --bcc\n');
});

test('--wait prints a fatal exception and exits 142 on timeout', () => {
  const r = inst.flux(['submit', '--quiet', '--wait', '-t', '0.2s', 'sleep', '30']);
  assert.is(r.code, 142);
  assert.is(r.stderr, 'job.exception: type=timeout severity=0 resource allocation expired\n');
});

test('--watch streams job output', () => {
  const r = inst.flux(['submit', '--quiet', '--watch', 'echo', 'hello']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello\n');
});

test('a held job stays pending; cancel makes it CA', () => {
  const id = inst.flux(['submit', '--urgency=hold', 'true']).stdout.trim();
  let j = inst.flux(['jobs', '-n', '-o', '{status_abbrev} {contextual_info}', id]);
  assert.is(j.stdout, 'S held\n');
  assert.is(inst.flux(['cancel', id]).code, 0);
  inst.flux(['job', 'status', id]);
  j = inst.flux(['jobs', '-n', '-o', '{status_abbrev} {returncode} {inactive_reason}', id]);
  assert.is(j.stdout, 'CA -128 Canceled\n');
});

test('flux jobs -a: default header and a completed job row', () => {
  const id = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  const r = inst.flux(['jobs', '-a']);
  assert.is(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], '       JOBID USER     NAME       ST NTASKS NNODES     TIME INFO');
  const row = lines.find((l) => l.trim().startsWith(id));
  assert.ok(row, r.stdout);
  assert.match(row!, new RegExp(`^ +${id} \\S+ +true +CD +1 +1 +\\d+\\.\\d{3}s \\S+$`));
});

test('flux jobs -o with Python format specs and the reference fields', () => {
  const id = inst.flux(['submit', '--wait', '-n2', 'true']).stdout.trim();
  const r = inst.flux(['jobs', '-n', '-o', '{id.f58} {name} {state} {result} {ntasks} {status_abbrev:>3}|', id]);
  assert.is(r.stdout, `${id} true INACTIVE COMPLETED 2  CD|\n`);
  const f = inst.flux(['jobs', '-a', '-n', '--filter=completed', '-o', '{result_abbrev}']);
  assert.ok(f.stdout.split('\n').filter(Boolean).every((l) => l === 'CD'));
});

test('flux jobs -o: float fields print as Python floats (30.0, 0.0), sort as numbers, and h makes 0.0 a -', () => {
  const ids = ['30s', '145s', undefined].map((t) => inst.flux(['submit', '--wait', ...(t ? ['-t', t] : []), 'true']).stdout.trim());
  const r = inst.flux(['jobs', '-n', '-o', '{duration}|{duration:>7}|{t_remaining}|{duration:h}', '--sort=-duration', ...ids]);
  assert.is(r.stdout, '145.0|  145.0|0.0|145.0\n30.0|   30.0|0.0|30.0\n0.0|    0.0|0.0|-\n');
  assert.match(inst.flux(['jobs', '-n', '-o', '{t_submit} {t_inactive}', ids[0]!]).stdout, /^\d+\.\d+ \d+\.\d+\n$/);
  assert.is(inst.flux(['jobs', '-n', '-o', '{duration:.2f}', ids[0]!]).stdout, '30.00\n');
});

test('flux jobs -o NAME: help lists the named formats, get-config=NAME prints one, an unknown name is an error', () => {
  const h = inst.flux(['jobs', '-o', 'help']);
  assert.is(h.code, 0);
  assert.is(
    h.stdout,
    '\nConfigured flux-jobs output formats:\n\n' +
      '  default      Default flux-jobs format string\n' +
      '  long         Extended flux-jobs format string\n' +
      '  deps         Show job urgency, priority, and dependencies\n' +
      '  endreason    Show why each job ended\n',
  );
  const g = inst.flux(['jobs', '--format=get-config=deps']);
  assert.is(g.code, 0);
  assert.is(
    g.stdout,
    '[formats.deps]\ndescription = "Show job urgency, priority, and dependencies"\n' +
      'format = "{id.f58:>12} ?:{queue:<8.8} {name:<10.10+} {urgency:<3} {priority:<12} {state:<8.8} {dependencies}"\n',
  );
  for (const o of ['bogusname', 'get-config=bogusname']) {
    const b = inst.flux(['jobs', '-a', '-o', o]);
    assert.is(b.stderr, 'flux-jobs: ERROR: --format: No such format bogusname\n');
    assert.is(b.code, 1);
    assert.is(b.stdout, '');
  }
  // FLUX_JOBS_FORMAT_DEFAULT names a format (or is one) in place of default
  const d = inst.flux(['jobs', '-a'], { env: { FLUX_JOBS_FORMAT_DEFAULT: 'deps' } });
  assert.match(d.stdout, /^ +JOBID NAME +URG PRI +STATE +DEPENDENCIES\n/);
  const e = inst.flux(['jobs', '-a'], { env: { FLUX_JOBS_FORMAT_DEFAULT: 'nosuch' } });
  assert.is(e.stderr, 'flux-jobs: ERROR: --format: No such format nosuch\n');
});

test('failed jobs: F with the exit code and reason', () => {
  const r = inst.flux(['submit', '--wait', 'false']);
  assert.is(r.code, 1);
  const id = r.stdout.trim();
  const j = inst.flux(['jobs', '-n', '-o', '{status_abbrev} {returncode} {waitstatus} {inactive_reason}', id]);
  assert.is(j.stdout, 'F 1 256 Exit 1\n');
});

test('flux jobs --color: rows of finished jobs in the color of their result; never off a terminal by default', () => {
  const ok = inst.flux(['submit', '--wait', 'true']).stdout.trim();
  const bad = inst.flux(['submit', '--wait', 'false']).stdout.trim();
  const c = inst.flux(['jobs', '--color=always', '-n', '-o', '{result}', ok, bad]);
  assert.is(c.stdout, '\u001b[01;32mCOMPLETED\u001b[0;0m\n\u001b[01;31mFAILED\u001b[0;0m\n');
  assert.is(inst.flux(['jobs', '-n', '-o', '{result}', ok]).stdout, 'COMPLETED\n');
  assert.is(inst.flux(['jobs', '--color=never', '-n', '-o', '{result}', ok]).stdout, 'COMPLETED\n');
  assert.is(inst.flux(['jobs', '--color=bad']).code, 2);
});

test('bulksubmit: one job per input', () => {
  const r = inst.flux(['bulksubmit', '--quiet', '--watch', 'echo', 'x{}', ':::', 'a', 'b']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).sort(), ['xa', 'xb']);
  const d = inst.flux(['bulksubmit', '--dry-run', 'echo', '{1}', '{0}', ':::', '1', '2', ':::', '3', '4']);
  assert.is(d.stdout, 'bulksubmit: submit echo 3 1\nbulksubmit: submit echo 4 1\nbulksubmit: submit echo 3 2\nbulksubmit: submit echo 4 2\n');
});

test('queue disable refuses submissions with Flux text', () => {
  assert.is(inst.flux(['queue', 'disable', '-m', 'maint']).stdout, 'Job submission is disabled: maint\n');
  const r = inst.flux(['submit', 'true']);
  assert.is(r.code, 1);
  assert.is(r.stderr, '[Errno 22] job submission is disabled: maint\n');
  assert.is(inst.flux(['queue', 'enable']).stdout, 'Job submission is enabled\n');
  assert.is(inst.flux(['queue', 'status']).stdout, 'Job submission is enabled\nScheduling is started\n');
});

test('queue stop keeps jobs pending; start runs them; drain and idle', () => {
  assert.is(inst.flux(['queue', 'stop']).stdout, 'Scheduling is stopped\n');
  const id = inst.flux(['submit', 'true']).stdout.trim();
  assert.is(inst.flux(['jobs', '-n', '-o', '{status_abbrev}', id]).stdout, 'S\n');
  assert.is(inst.flux(['queue', 'start']).stdout, 'Scheduling is started\n');
  assert.is(inst.flux(['queue', 'drain']).code, 0);
  assert.is(inst.flux(['jobs', '-n', '-o', '{status_abbrev}', id]).stdout, 'CD\n');
  assert.is(inst.flux(['queue', 'idle']).stdout, '0 jobs\n');
});

test.run();
