/**
 * Named queues and job policy: [queues.NAME] requires and per-queue policy,
 * [policy] defaults (duration, queue) and limits (duration, job size), -q on
 * submit, flux queue list/status/start/stop/enable/disable -q, flux jobs -q,
 * flux resource list/info/R/status/drain -q. Output as flux-core prints it
 * (shared/reference/flux-core-outputs-2.md, Configuration).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, tmpdir } from '../helpers/flux';

const tmp = tmpdir();
test.after(() => tmp.cleanup());

const BASE = [
  '[resource]',
  'noverify = true',
  'config = [',
  '  { hosts = "node[0-1]", cores = "0-1" },',
  '  { hosts = "node0", properties = ["debug", "fast"] },',
  '  { hosts = "node1", properties = ["batch"] },',
  ']',
  '[queues.debug]',
  'requires = ["debug"]',
  '[queues.batch]',
  'requires = ["batch"]',
  '[policy.limits]',
  'duration = "1m"',
  '[policy.jobspec.defaults.system]',
  'queue = "batch"',
  'duration = "30s"',
  '',
].join('\n');

function inInstance(toml: string, script: string): { code: number; stdout: string; stderr: string } {
  const f = path.join(tmp.dir, `q${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(f, toml);
  return flux(['start', '--test-size=2', '--test-hosts=node[0-1]', '-c', f, 'sh', '-c', script], {
    env: { FLUX_RESOURCE_FAKE_CORES: '2' },
    timeoutMs: 120_000,
  });
}

test('flux resource list and flux queue show the queues as Flux does', () => {
  const r = inInstance(
    BASE,
    'flux resource list; flux resource list -q debug; flux resource list -q nosuch; flux queue status -q batch; flux queue status -q nosuch; flux queue start --all; flux queue list',
  );
  const on = '\u001b[01;32m \u2714\u001b[0;0m';
  assert.is(
    r.stdout,
    [
      '     STATE QUEUE PROPERTIES NNODES NCORES NGPUS NODELIST',
      '      free debug fast            1      2     0 node0',
      '      free batch                 1      2     0 node1',
      ' allocated debug                 0      0     0 ',
      ' allocated batch                 0      0     0 ',
      '      down debug                 0      0     0 ',
      '      down batch                 0      0     0 ',
      '     STATE QUEUE PROPERTIES NNODES NCORES NGPUS NODELIST',
      '      free debug fast            1      2     0 node0',
      ' allocated debug                 0      0     0 ',
      '      down debug                 0      0     0 ',
      'batch: Job submission is enabled',
      'batch: Scheduling is stopped',
      'batch: Scheduling is started',
      'debug: Scheduling is started',
      'QUEUE    EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS',
      `debug    ${on} ${on}      30s       1m        0-1        0-2        0-0`,
      `batch*   ${on} ${on}      30s       1m        0-1        0-2        0-0`,
      '',
    ].join('\n'),
  );
  assert.match(r.stderr, /^flux-resource: ERROR: --queue: nosuch: no such queue$/m);
  assert.match(r.stderr, /^flux-queue: ERROR: status: 'nosuch' is not a valid queue$/m);
});

test('flux resource info, R, status and drain -q QUEUE,...: only the resources of those queues, as Flux', () => {
  const r = inInstance(
    BASE,
    [
      'flux resource info -q debug',
      'flux resource info -q debug,batch',
      'flux resource R -q batch',
      'flux resource drain 1 maint',
      'flux resource status -q debug',
      'flux resource status -q batch',
      'flux resource drain -q debug',
      'flux resource drain -no "{nodelist} {reason}" -q batch',
      'flux resource status -q nosuch; echo rc=$?',
      'flux resource drain -q nosuch; echo rc=$?',
      'flux resource R -q nosuch; echo rc=$?',
    ].join('; '),
  );
  const lines = r.stdout.split('\n');
  assert.equal(lines.slice(0, 2), ['1 Nodes, 2 Cores, 0 GPUs', '2 Nodes, 4 Cores, 0 GPUs']);
  const R = JSON.parse(lines[2]!) as { execution: { R_lite: unknown[]; nodelist: string[] } };
  assert.equal([R.execution.R_lite, R.execution.nodelist], [[{ rank: '1', children: { core: '0-1' } }], ['node1']]);
  assert.equal(lines.slice(3), [
    '       STATEUP NNODES NODELIST',
    '       avail \u2714      1 node0',
    '       STATEUP NNODES NODELIST',
    '     drained \u2714      1 node1',
    'TIME         STATE    REASON                         NODELIST',
    'node1 maint',
    'rc=1',
    'rc=1',
    'rc=1',
    '',
  ]);
  assert.is(r.stderr, 'flux-resource: ERROR: --queue: nosuch: no such queue\n'.repeat(3));
});

test('flux queue list -o: any of its fields, in any order; an unknown field is one line', () => {
  const r = inInstance(
    BASE,
    [
      'flux queue stop -q debug >/dev/null',
      'flux queue list -o "{queue}|{queuem}|{submission}|{scheduling}|{enabled.ascii}{started.ascii}|{defaults.timelimit!F}|{limits.timelimit}|{limits.min.ncores}-{limits.max.ncores}"',
      'flux queue list -n -o "{queuem:>8}"',
      'flux queue list -o "{nosuch}"; echo rc=$?',
    ].join('; '),
  );
  assert.is(
    r.stdout,
    [
      'QUEUE|QUEUE|SUBMIT|SCHED|ENST|TDEFAULT|TLIMIT|MINCORES-MAXCORES',
      'debug|debug|enabled|stopped|yn|30s|1m|0-inf',
      'batch|batch*|enabled|stopped|yn|30s|1m|0-inf',
      '   debug',
      '  batch*',
      'rc=1',
      '',
    ].join('\n'),
  );
  assert.is(r.stderr, 'flux-queue: ERROR: Error in user format: Unknown format field: nosuch\n');
});

test('flux queue list named formats: default (effective ranges), policy (inf), nodes (by state), help', () => {
  const toml = BASE.replace('[queues.batch]\nrequires = ["batch"]', '[queues.batch]\nrequires = ["batch"]\npolicy.limits.job-size.max.ncores = 1');
  const r = inInstance(
    toml,
    [
      'flux queue start --all >/dev/null',
      'flux submit -q debug -n1 sleep 300 >/dev/null',
      'flux resource drain 1 maintenance',
      'flux queue list -o "{queuem} {limits.range.effective.ncores} {limits.range.ncores} {limits.max.nnodes}"',
      'flux queue list -o policy | sed "s/\\x1b\\[[0-9;]*m//g"',
      'flux queue list -o nodes | sed "s/\\x1b\\[[0-9;]*m//g"',
      'flux queue list -o help',
      'flux queue list -o nosuch; echo rc=$?',
      'flux cancel --all 2>/dev/null',
    ].join('; '),
  );
  assert.is(
    r.stdout,
    [
      'QUEUE NCORES NCORES MAXNODES',
      'debug 0-2 0-inf inf',
      'batch* 0-1 0-1 inf',
      'QUEUE    EN ST TDEFAULT   TLIMIT     NNODES     NCORES      NGPUS',
      'debug     ✔  ✔      30s       1m      0-inf      0-inf      0-inf',
      'batch*    ✔  ✔      30s       1m      0-inf        0-1      0-inf',
      'QUEUE    EN ST  NODES   NODES:UP NODES:DOWN NODES:ALLOC NODES:FREE',
      'debug     ✔  ✔      1          1          0           1          1',
      'batch*    ✔  ✔      1          0          1           0          0',
      '',
      'Configured flux-queue output formats:',
      '',
      '  default      Default flux-queue list format string',
      '  policy       flux-queue list with policy limits only',
      '  nodes        Show queue status plus all/up/allocated/free nodes',
      'rc=1',
      '',
    ].join('\n'),
  );
  assert.match(r.stderr, /flux-queue: ERROR: --format: No such format nosuch\n/);
});

test('defaults, limits, requires and queue switches at submit and in scheduling', () => {
  const r = inInstance(
    BASE,
    [
      'flux queue start --all >/dev/null',
      'flux run -q nosuch true; echo rc=$?',
      'flux run -t 5m true; echo rc=$?',
      'flux run --requires=fast -q debug flux getattr rank',
      'flux run flux getattr rank',
      'id=$(flux submit true); flux job wait-event $id clean >/dev/null; flux jobs -no "{queue} {duration}" $id',
      'flux jobs -a -q debug -no "{queue}" | sort -u',
      'flux queue stop -q debug',
      'id=$(flux submit -q debug true); sleep 1; flux jobs -no "{state}" $id',
      'flux queue start -q debug >/dev/null; flux job wait-event $id clean >/dev/null && echo ran after start',
      'flux queue disable -q batch -m maint; flux run true; echo rc=$?; flux queue enable -q batch',
    ].join('\n'),
  );
  assert.is(
    r.stdout,
    ['rc=1', 'rc=1', '0', '1', 'batch 30.0', 'debug', 'debug: Scheduling is stopped', 'SCHED', 'ran after start', 'batch: Job submission is disabled: maint', 'rc=1', 'batch: Job submission is enabled', ''].join('\n'),
    r.stderr,
  );
  assert.match(r.stderr, /^flux-run: ERROR: Invalid queue 'nosuch' specified$/m);
  assert.match(r.stderr, /^flux-run: ERROR: requested duration \(5m\) exceeds policy limit of 1m for queue batch$/m);
  assert.match(r.stderr, /^flux-run: ERROR: queue batch: job submission is disabled: maint$/m);
});

test('job-size limits (global and per queue) and a per-queue default duration', () => {
  const toml =
    BASE +
    ['[queues.debug.policy.limits.job-size.max]', 'ncores = 1', '[queues.debug.policy.jobspec.defaults.system]', 'duration = "10s"', '[policy.limits.job-size.min]', 'nnodes = 1', '[policy.limits.job-size.max]', 'ngpus = 0', ''].join('\n');
  const r = inInstance(
    toml,
    [
      'flux queue start --all >/dev/null',
      'flux run -q debug -n2 true; echo rc=$?',
      'flux run -q debug -N1 -n1 flux getattr rank',
      'id=$(flux submit -q debug -N1 true); flux job wait-event $id clean >/dev/null; flux jobs -no "{duration}" $id',
      'flux run -n1 true; echo rc=$?',
      'flux run -g1 true; echo rc=$?',
    ].join('\n'),
  );
  assert.is(r.stdout, 'rc=1\n0\n10.0\nrc=0\nrc=1\n', r.stderr);
  assert.match(r.stderr, /^flux-run: ERROR: requested ngpus \(1\) exceeds policy limit of 0 for queue batch$/m);
  assert.match(r.stderr, /^flux-run: ERROR: requested ncores \(2\) exceeds policy limit of 1 for queue debug$/m);
  // -n1 without -N names no node count: the nnodes minimum cannot be checked, so it is not refused
  assert.not.match(r.stderr, /nnodes/);
});

/** A size-1 instance with `toml` that must fail to start. */
function startBad(toml: string): { code: number; stdout: string; stderr: string } {
  const f = path.join(tmp.dir, 'bad.toml');
  fs.writeFileSync(f, toml);
  return flux(['start', '-c', f, 'true'], { timeoutMs: 60_000 });
}

test('bad queue policy is refused at start; -q without queues is refused', () => {
  const bad = startBad('[policy.jobspec.defaults.system]\nqueue = "nosuch"\n');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /config: the \[policy\] config table defines a default queue nosuch that is not in \[queues\] table/);
  const req = startBad('[queues.debug]\nrequires = "debug"\n');
  assert.is(req.code, 1);
  assert.match(req.stderr, /:2: queues\.debug\.requires: 'requires' must be an array of property strings \(RFC 20\)/);
  const dur = startBad('[policy.limits]\nduration = 5\n');
  assert.match(dur.stderr, /:2: policy\.limits\.duration: 5 is not a valid duration \(FSD\)/);
  const none = flux(['start', 'sh', '-c', 'flux run -q debug true']);
  assert.is(none.code, 1);
  assert.match(none.stderr, /^flux-run: ERROR: Invalid queue 'debug' specified: no queues are configured$/m);
});

test('one burst of submissions: a job for a disabled queue is refused alone, its neighbours are queued', () => {
  // job-ingest hands a turn's jobs to the job manager together; a refused batch is sent again job by job
  const toml = ['[resource]', 'noverify = true', 'config = [ { hosts = "node[0-1]", cores = "0-1" } ]', '[queues.q1]', '[queues.q2]', '[queues.q3]', ''].join('\n');
  const r = inInstance(toml, 'flux queue disable -q q2 -m maint >/dev/null; flux submit --cc=1-3 -q q{cc} true; echo rc=$?; flux jobs -a -no "{queue}" | sort');
  assert.match(r.stdout, /^ƒ\S+\nƒ\S+\nrc=1\nq1\nq3\n$/, r.stdout + r.stderr);
  assert.is(r.stderr, 'cc=2: [Errno 22] queue q2: job submission is disabled: maint\n');
});

test('one burst: the job manager and the scheduler refuse only the jobs at fault, each in its own words', () => {
  // job-ingest asks job-manager.validate-batch and sched.feasibility-batch once for a turn's jobs
  const toml = ['[resource]', 'noverify = true', 'config = [ { hosts = "node[0-1]", cores = "0-1" } ]', '[queues.q1]', '[queues.q3]', ''].join('\n');
  const r = inInstance(toml, 'flux bulksubmit -q {0} -N {1} true ::: q1 q2 q3 ::: 1 3; echo rc=$?; flux jobs -a -no "{queue} {nnodes}" | sort');
  assert.match(r.stdout, /^ƒ\S+\nƒ\S+\nrc=1\nq1 1\nq3 1\n$/, r.stdout + r.stderr);
  const infeasible = '[Errno 22] unsatisfiable request: need 3 exclusive node(s), only 2 eligible';
  const noQueue = "[Errno 22] Invalid queue 'q2' specified";
  assert.is(r.stderr, [infeasible, noQueue, noQueue, infeasible, ''].join('\n'));
});

test.run();
