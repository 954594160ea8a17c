/**
 * Seeing into child instances (a flux batch job running its own job):
 * flux jobs -R lists their jobs under a heading with their path of job ids,
 * as Flux does (-L limits the depth; with --json each instance's jobs nest
 * in its `jobs` array); the
 * instance.* fields of flux jobs; flux pstree draws the tree through them
 * with Flux's options (-a, -x, -d, -p, -L, -X, --skip-root, --ascii, -C).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance;
let outer = '';
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance();
  const script = path.join(tmp.dir, 'outer.sh');
  fs.writeFileSync(script, '#!/bin/sh\nflux submit --job-name=inner sleep 300\nsleep 300\n', { mode: 0o755 });
  inst.flux(['submit', '--job-name=solo', 'sleep', '300']);
  inst.flux(['run', '--job-name=done1', 'true']);
  inst.flux(['run', '--job-name=done1', 'true']);
  outer = inst.flux(['batch', '-n1', '--job-name=outer', `--output=${path.join(tmp.dir, 'out')}`, script]).stdout.trim();
  await until(() => inst.flux(['proxy', outer, 'flux', 'jobs', '-no', '{name}']).stdout === 'inner\n', 'the child instance to run its job', 60_000);
});
test.after(async () => {
  inst.flux(['cancel', '--all']);
  await inst.stop().catch(() => inst.kill());
  tmp.cleanup();
});

test('-R lists the child instance\'s jobs under its job id', () => {
  const r = inst.flux(['jobs', '-R', '-o', '{name} {status_abbrev}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `NAME ST\nouter R\nsolo R\n\n${outer}:\ninner R\n`);
});

test('-R --stats: each child instance\'s own statistics under its heading, as Flux lists them', () => {
  const r = inst.flux(['jobs', '-R', '--stats', '-o', '{name}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `2 running, 2 completed, 0 failed, 0 pending, 0 inactive purged\nNAME\nouter\nsolo\n\n${outer}:\n1 running, 0 completed, 0 failed, 0 pending, 0 inactive purged\ninner\n`);
});

test('the child\'s jobid and jobid-path attributes name its job as flux batch printed it (ƒ, not the PMI kvsname\'s f)', () => {
  const r = inst.flux(['proxy', outer, 'sh', '-c', 'flux getattr jobid; flux getattr jobid-path']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(outer.startsWith('ƒ'), outer);
  assert.is(r.stdout, `${outer}\n/${outer}\n`);
});

test('without -R, and with -L 0, the child is not opened', () => {
  assert.is(inst.flux(['jobs', '-o', '{name}']).stdout, 'NAME\nouter\nsolo\n');
  assert.is(inst.flux(['jobs', '-L', '0', '-o', '{name}']).stdout, 'NAME\nouter\nsolo\n');
  assert.is(inst.flux(['jobs', '-L', '1', '-no', '{name}']).stdout, `outer\nsolo\n\n${outer}:\ninner\n`);
});

test('a bad -L is refused in one line', () => {
  const l = inst.flux(['jobs', '-L', 'x']);
  assert.is(l.code, 2);
  assert.match(l.stderr, /flux-jobs: error: argument -L\/--level: invalid int value: 'x'\n$/);
});

test('--json with -R: the instance\'s jobs are a jobs array in its own entry (Flux\'s nesting); -L 0 opens nothing', () => {
  type J = { id: number; name: string; state: string; jobs?: J[] };
  const j = inst.flux(['jobs', '-R', '--json']);
  assert.is(j.code, 0, j.stderr);
  const top = (JSON.parse(j.stdout) as { jobs: J[] }).jobs;
  assert.equal(top.map((x) => [x.name, x.state, x.jobs?.map((k) => [k.name, k.state])]), [
    ['outer', 'RUN', [['inner', 'RUN']]],
    ['solo', 'RUN', undefined],
  ]);
  const flat = (JSON.parse(inst.flux(['jobs', '-R', '-L', '0', '--json']).stdout) as { jobs: J[] }).jobs;
  assert.equal(flat.map((x) => 'jobs' in x), [false, false]);
  // a job selected by id is one object, its instance's jobs inside
  const one = JSON.parse(inst.flux(['jobs', '-R', '--json', outer]).stdout) as J;
  assert.equal([one.name, one.jobs?.map((k) => k.name)], ['outer', ['inner']]);
});

test('flux jobs fills the instance.* fields of an instance, and leaves them empty for other jobs', () => {
  const r = inst.flux(['jobs', '-no', '{name}|{instance.stats}|{instance.stats.total}|{instance.utilization!P}|{instance.resources.all.ncores}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'outer|PD:0 R:1 CD:0 F:0|1|100%|1\nsolo||||\n');
});

test('pstree descends into the instance; -a adds states to leaves and merges identical ones', () => {
  assert.is(inst.flux(['pstree']).stdout, '.\n├── outer\n│   └── inner\n└── solo\n');
  assert.is(inst.flux(['pstree', '-a']).stdout, '.\n├── outer\n│   └── inner:R\n├── solo:R\n└── 2*[done1:CD]\n');
  assert.is(inst.flux(['pstree', '-a', '-X']).stdout, '.\n├── outer\n│   └── inner:R\n├── solo:R\n├── done1:CD\n└── done1:CD\n');
  assert.is(inst.flux(['pstree', '--ascii']).stdout, '.\n|-- outer\n|   `-- inner\n`-- solo\n');
  assert.is(inst.flux(['pstree', '-C']).stdout, '.\n├ outer\n│ └ inner\n└ solo\n');
  assert.is(inst.flux(['pstree', '-L', '0']).stdout, '.\n├── outer\n└── solo\n');
  assert.is(inst.flux(['pstree', '-p']).stdout, `. .\n├── ${outer} outer\n│   └── inner\n└── solo\n`);
  assert.is(inst.flux(['pstree', outer]).stdout, 'outer\n└── inner\n');
  assert.is(inst.flux(['pstree', '--skip-root=yes', '--parent-label={name} {instance.stats}']).stdout, 'outer PD:0 R:1 CD:0 F:0\n└── inner\nsolo\n');
});

test('pstree details: -x columns before the tree, -d resources blank for jobs that are not instances', () => {
  const x = inst.flux(['pstree', '-x']).stdout.split('\n');
  assert.is(x[0], '       JOBID USER     ST NTASKS NNODES  RUNTIME');
  assert.match(x[1]!, new RegExp(`^ +${outer} \\S+ +R +1 +1 +\\S+ outer$`));
  assert.match(x[2]!, / R +1 +1 +\S+ └── inner$/);
  const d = inst.flux(['pstree', '-d', 'resources', '-n']).stdout.split('\n');
  assert.match(d[0]!, new RegExp(`^ +${outer}     1     1     1     1     0     0 outer$`));
  assert.match(d[1]!, /^ +ƒ\S+ {36} └── inner$/);
});

test('pstree --skip-root=no with details: the root line shows the enclosing instance (id `.` at the top, its job inside a child)', () => {
  const top = inst.flux(['pstree', '--skip-root=no', '-x', '-n']);
  assert.is(top.code, 0, top.stderr);
  const size = inst.flux(['getattr', 'size']).stdout.trim();
  assert.match(top.stdout.split('\n')[0]!, new RegExp(`^ +\\. \\S+ +R +${size} +${size} +\\S*\\d\\S* \\.$`));
  const stats = inst.flux(['pstree', '--skip-root=no', '-d', 'stats', '-n']).stdout.split('\n')[0]!;
  assert.match(stats, /^ +\. +0 +2 +2 +0 +4 \.$/);
  const child = inst.flux(['proxy', outer, 'flux', 'pstree', '--skip-root=no', '-x', '-n', '-p']);
  assert.is(child.code, 0, child.stderr);
  assert.match(child.stdout, new RegExp(`^ +${outer} \\S+ +R +1 +1 +\\S+ ${outer} outer\n +ƒ\\S+ \\S+ +R +1 +1 +\\S+ └── inner\n$`), child.stdout);
});

test('pstree refuses what it cannot do in one line', () => {
  const d = inst.flux(['pstree', '-d', 'nosuch']);
  assert.is(d.stderr, "flux-pstree: ERROR: Unknown --details format 'nosuch'\n");
  assert.is(d.code, 1);
  const c = inst.flux(['pstree', '--ascii', '-C']);
  assert.is(c.stderr, 'flux-pstree: ERROR: Choose only one of --ascii, --compact\n');
  assert.is(c.code, 1);
  const o = inst.flux(['pstree', '-o', '{nosuch}']);
  assert.is(o.stderr, 'flux-pstree: ERROR: Error in user format: Unknown format field: nosuch\n');
  assert.is(o.code, 1);
});

test.run();
