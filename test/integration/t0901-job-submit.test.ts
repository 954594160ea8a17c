/**
 * flux job submit [--urgency=N] [--flags=...] [FILE]: a jobspec from a file or
 * stdin, as `flux run --dry-run ... | flux job submit`; one-line errors naming
 * what is wrong.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

let inst: Instance;
let tmp: { dir: string; cleanup(): void };
/** a jobspec as flux run --dry-run writes it */
let jobspec = '';

test.before(async () => {
  inst = await startInstance();
  tmp = tmpdir();
  const r = inst.flux(['run', '--dry-run', '-n1', 'echo', 'from-a-file']);
  assert.is(r.code, 0, r.stderr);
  jobspec = r.stdout;
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

const F58 = /^ƒ[1-9A-HJ-NP-Za-km-z]+\n$/;

/** the job's eventlog event's context, once it is there */
function event(id: string, name: string): string {
  const r = inst.flux(['job', 'wait-event', '-t', '30', '-fjson', id, name]);
  assert.is(r.code, 0, r.stderr);
  return r.stdout;
}

test('flux run --dry-run | flux job submit: the job runs', () => {
  const r = inst.flux(['job', 'submit'], { input: jobspec });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, F58);
  const id = r.stdout.trim();
  const a = inst.flux(['job', 'attach', id]);
  assert.equal([a.code, a.stdout], [0, 'from-a-file\n']);
});

test('from a file, and from stdin named -', () => {
  const file = path.join(tmp.dir, 'job.json');
  fs.writeFileSync(file, jobspec);
  const r = inst.flux(['job', 'submit', file]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, F58);
  const s = inst.flux(['job', 'submit', '--', '-'], { input: jobspec });
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, F58);
});

test('--urgency and --flags are honoured', () => {
  const r = inst.flux(['job', 'submit', '-u0', '--flags=waitable,debug'], { input: jobspec });
  assert.is(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(event(id, 'submit'), /"urgency":0,.*"flags":6/);
  assert.is(inst.flux(['jobs', '-no', '{urgency}', id]).stdout, '0\n');
  assert.is(inst.flux(['job', 'urgency', id, 'default']).code, 0);
  const w = inst.flux(['job', 'wait', id]);
  assert.is(w.code, 0, w.stderr);
  // -f repeated, and the urgency as a detached argument
  const q = inst.flux(['job', 'submit', '-f', 'debug', '-fwaitable', '--urgency', '20'], { input: jobspec });
  assert.is(q.code, 0, q.stderr);
  assert.match(event(q.stdout.trim(), 'submit'), /"urgency":20,.*"flags":6/);
});

test('a bad jobspec: one line naming what is wrong, exit 1', () => {
  const bad = (input: string, stderr: string | RegExp) => {
    const r = inst.flux(['job', 'submit'], { input });
    assert.is(r.code, 1, input);
    assert.is(r.stdout, '');
    if (typeof stderr === 'string') assert.is(r.stderr, stderr);
    else assert.match(r.stderr, stderr);
    assert.is(r.stderr.split('\n').length, 2, r.stderr);
  };
  bad('', 'flux-job: required jobspec is empty\n');
  bad('{"version": 1,', /^flux-job: stdin: jobspec is not JSON: .+\n$/);
  bad('[1, 2]', 'flux-job: jobspec must be a JSON object\n');
  const js = JSON.parse(jobspec) as { tasks: Array<{ command: unknown }>; version: number; attributes: { system: { duration: unknown } } };
  js.tasks[0]!.command = 'echo';
  bad(JSON.stringify(js), 'flux-job: task command must be a non-empty array of strings\n');
  const v2 = { ...(JSON.parse(jobspec) as object), version: 2 };
  bad(JSON.stringify(v2), 'flux-job: jobspec version must be 1 (got 2)\n');
  const d = JSON.parse(jobspec) as typeof js;
  d.attributes.system.duration = 'long';
  bad(JSON.stringify(d), 'flux-job: attributes.system.duration must be a number >= 0\n');
});

test('bad options and files: one line, exit 1; usage for too many operands', () => {
  const r = (argv: string[], stderr: string | RegExp) => {
    const x = inst.flux(['job', 'submit', ...argv], { input: jobspec });
    assert.is(x.code, 1, argv.join(' '));
    if (typeof stderr === 'string') assert.is(x.stderr, stderr);
    else assert.match(x.stderr, stderr);
  };
  r([path.join(tmp.dir, 'nosuch.json')], `flux-job: ${path.join(tmp.dir, 'nosuch.json')}: No such file or directory\n`);
  r([tmp.dir], `flux-job: ${tmp.dir}: Is a directory\n`);
  r(['--flags=bogus'], 'flux-job: unknown flag: bogus\n');
  r(['--urgency=soon'], "flux-job submit: submit: Option 'urgency' requires an integer argument\n");
  r(['--urgency=32'], 'flux-job: urgency range is [0:31]\n');
  r(['--flags=signed'], 'flux-job: --flags=signed: flux-ts has no flux-security: jobspecs are not signed\n');
  r(['--sign-type=curve'], 'flux-job: --sign-type: flux-ts has no flux-security: jobspecs are not signed\n');
  r(['-u'], "flux-job submit: '-u' missing argument\n");
  r(['a', 'b'], /^Usage: flux-job submit \[OPTIONS\] \[jobspec\]\nRun job\n {2}-h, --help +Display this message\.\n {2}-u, --urgency=N +Set job urgency/);
});

test('flux job --help lists submit', () => {
  const r = inst.flux(['job', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /\n {2}submit +Run job\n/);
});

test.run();
