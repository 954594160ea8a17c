/**
 * flux update (flux-update(1)): a pending job's duration (absolute and
 * relative) and queue, name and urgency refused as in Flux 0.88; --wait; a
 * running job's duration, which moves
 * its expiration (it then runs past its old limit, or ends at the new one)
 * and the scheduler's plans (backfill); Flux's errors; the eventlog's
 * jobspec-update / resource-update, flux jobs and flux job info showing the
 * new values, and the update surviving a restart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import { TWO_QUEUES_TOML } from '../helpers/two-queues';

const started: Instance[] = [];
const tmp = tmpdir('flux-t1030-');
test.after(() => {
  for (const i of started) i.kill();
  tmp.cleanup();
});

async function start(args: string[], cores = '2'): Promise<Instance> {
  const inst = await startInstance(args, { brokerEnv: { FLUX_RESOURCE_FAKE_CORES: cores } });
  started.push(inst);
  return inst;
}

function submit(inst: Instance, args: string[]): string {
  const r = inst.flux(['submit', ...args]);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const field = (inst: Instance, id: string, f: string) => inst.flux(['jobs', '-a', '-n', '-o', `{${f}}`, id]).stdout.trim();

test('pending job: duration, relative duration; name and urgency refused; dry run; errors as Flux prints them', async () => {
  const inst = await start([]);
  try {
    const p = submit(inst, ['--urgency=hold', '-t', '1m', '--job-name=pend', 'sleep', '30']);
    const ok = (args: string[]) => {
      const r = inst.flux(['update', ...args]);
      assert.is(r.code, 0, r.stderr);
      return r;
    };
    assert.is(ok([p, 'duration=2m']).stderr, '');
    assert.is(ok(['-v', p, 'duration=+30s']).stderr, 'flux-update: INFO: updated attributes.system.duration to 150.0\n');
    // a dry run does not validate: name is printed, not refused
    assert.is(ok(['-n', p, 'duration=5m', 'name=y']).stdout, '{"attributes.system.duration": 300.0, "attributes.system.job.name": "y"}\n');
    assert.is(ok(['-n', p, 'foo=1.0', 'bar=2']).stdout, '{"attributes.system.foo": 1.0, "attributes.system.bar": 2}\n');
    ok([p, 'duration=-5s']);

    const err = (args: string[], code: number, text: string) => {
      const r = inst.flux(['update', ...args]);
      assert.is(r.code, code, `flux update ${args.join(' ')}: ${r.stderr}`);
      assert.is(r.stderr, text);
    };
    // Flux 0.88 updates only duration and queue: urgency goes through flux job urgency
    err(['-v', p, 'name=x'], 1, 'flux-update: ERROR: update of attributes.system.job.name not supported\n');
    err([p, 'urgency=20'], 1, 'flux-update: ERROR: update of attributes.system.urgency not supported\n');
    assert.is(inst.flux(['jobs', '-n', '-o', '{name} {duration} {urgency} {state}', p]).stdout, 'pend 145.0 0 SCHED\n', 'still held, name unchanged');
    err([p, 'queue=batch'], 1, "flux-update: ERROR: 'batch' is not a valid queue\n");
    err([p, 'nosuch=1'], 1, 'flux-update: ERROR: update of attributes.system.nosuch not supported\n');
    err([p, 'duration=abc'], 1, 'flux-update: ERROR: invalid Flux standard duration\n');
    err([p, 'duration=-5m'], 1, `flux-update: ERROR: current duration for ${p} (2.417m) cannot be reduced by 5m\n`);
    const usage = 'usage: flux-update [-h] [-n] [-v] [--wait] JOBID KEY=VALUE [KEY=VALUE ...]\n';
    err([p], 2, `${usage}flux-update: error: the following arguments are required: KEY=VALUE\n`);
    err([], 2, `${usage}flux-update: error: the following arguments are required: JOBID, KEY=VALUE\n`);
    err(['notanid', 'duration=1m'], 2, `${usage}flux-update: error: argument JOBID: invalid JobID value: 'notanid'\n`);
    err(['f1234', 'duration=1m'], 1, 'flux-update: ERROR: unknown job id\n');
    // all or nothing: a bad key leaves the good one unapplied
    err([p, 'duration=9m', 'nosuch=1'], 1, 'flux-update: ERROR: update of attributes.system.nosuch not supported\n');
    assert.is(field(inst, p, 'duration'), '145.0');

    // each jobspec-update of a waiting job is followed by a priority event (Flux: back through PRIORITY)
    const log = inst.flux(['job', 'eventlog', p]).stdout.split('\n').filter((l) => l.length > 0);
    const tail = log.slice(-6).map((l) => l.replace(/^\d+\.\d{6} /, ''));
    assert.equal(tail, [
      'jobspec-update attributes.system.duration=120.0',
      'priority priority=0',
      'jobspec-update attributes.system.duration=150.0',
      'priority priority=0',
      'jobspec-update attributes.system.duration=145.0',
      'priority priority=0',
    ]);
    const js = JSON.parse(inst.flux(['job', 'info', p, 'jobspec']).stdout) as { attributes: { system: { duration: number; job: { name: string } } } };
    assert.is(js.attributes.system.duration, 145);
    assert.is(js.attributes.system.job.name, 'pend');
    const base = JSON.parse(inst.flux(['job', 'info', '--base', p, 'jobspec']).stdout) as { attributes: { system: { duration: number } } };
    assert.is(base.attributes.system.duration, 60, '--base: the jobspec as submitted');
    const orig = JSON.parse(inst.flux(['job', 'info', '--original', p, 'jobspec']).stdout) as { attributes: { system: { duration: number; environment?: object } } };
    assert.is(orig.attributes.system.duration, 60, '--original: the jobspec as submitted');
    assert.ok(orig.attributes.system.environment, '--original: with its environment (J)');

    // released through flux job urgency, it runs; a running job refuses name and urgency alike
    assert.is(inst.flux(['job', 'urgency', p, '16']).code, 0);
    await waitUntil(() => field(inst, p, 'state') === 'RUN', { what: 'the released job to run' });
    err([p, 'urgency=20'], 1, 'flux-update: ERROR: update of attributes.system.urgency not supported\n');
    err([p, 'name=z'], 1, 'flux-update: ERROR: update of attributes.system.job.name not supported\n');
    err([p, 'queue=batch'], 1, 'flux-update: ERROR: update of queue for running job not supported\n');
    inst.flux(['cancel', p]);
    await waitUntil(() => field(inst, p, 'state') === 'INACTIVE', { what: 'the job to end' });
    err([p, 'duration=1m'], 1, 'flux-update: ERROR: job is inactive\n');
  } finally {
    await inst.stop();
  }
});

test('running job: --wait, the eventlog as Flux prints it (reals, full-precision expiration), flux jobs duration', async () => {
  const inst = await start([]);
  try {
    const r = submit(inst, ['-t', '1m', '--job-name=runner', 'sleep', '60']);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', r, 'start']).code, 0);
    let u = inst.flux(['update', '-v', r, 'duration=2m']);
    assert.is(u.stderr, 'flux-update: INFO: updated attributes.system.duration to 120.0\n');
    u = inst.flux(['update', '--wait', '-v', r, 'duration=+1m']);
    assert.is(u.code, 0, u.stderr);
    assert.is(u.stderr, 'flux-update: INFO: updated attributes.system.duration to 180.0\n');
    assert.is(inst.flux(['update', r, 'duration=0']).code, 0);
    u = inst.flux(['update', r, 'duration=+5m']);
    assert.is(u.stderr, `flux-update: ERROR: duration for ${r} is unlimited, can't update by +5m\n`);
    assert.is(inst.flux(['jobs', '-n', '-o', '{name} {state} {duration} {urgency}', r]).stdout, 'runner RUN 0.0 16\n');
    const R = JSON.parse(inst.flux(['job', 'info', r, 'R']).stdout) as { execution: { starttime: number } };
    const start0 = R.execution.starttime;
    const updates = inst.flux(['job', 'eventlog', r]).stdout.split('\n').filter((l) => /-update /.test(l)).map((l) => l.replace(/^\d+\.\d{6} /, ''));
    const real = (x: number) => {
      const s = x.toPrecision(17).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
      return s.includes('.') ? s : `${s}.0`;
    };
    assert.equal(updates, [
      'jobspec-update attributes.system.duration=120.0',
      `resource-update expiration=${real(start0 + 120)}`,
      'jobspec-update attributes.system.duration=180.0',
      `resource-update expiration=${real(start0 + 180)}`,
      'jobspec-update attributes.system.duration=0.0',
      'resource-update expiration=0.0',
    ]);
    assert.not.match(inst.flux(['job', 'eventlog', r]).stdout, /jobspec-update[^\n]*\n[^\n]*priority/, 'no priority event for a running job');
    inst.flux(['cancel', r]);
  } finally {
    await inst.stop();
  }
});

test('running job: a longer duration lets it run past its old limit; a shorter one ends it; duration=0 is unlimited', async () => {
  const inst = await start([]);
  try {
    // 3s limit, runs 5s: without the update it would end with a timeout exception
    const a = submit(inst, ['-t', '3s', 'sleep', '5']);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', a, 'start']).code, 0);
    const r = inst.flux(['update', '-v', a, 'duration=+1m']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, 'flux-update: INFO: updated attributes.system.duration to 63.0\n');
    const log = () => inst.flux(['job', 'eventlog', a]).stdout;
    assert.match(log(), /jobspec-update attributes\.system\.duration=63\.0\n.*resource-update expiration=\d+\.\d+\n/);
    assert.is(inst.flux(['job', 'wait-event', '-t', '30', a, 'clean']).code, 0);
    assert.not.match(log(), /exception/, 'no timeout: it ran past its old limit');
    assert.match(log(), /finish status=0/);
    const runtime = Number(field(inst, a, 'runtime'));
    assert.ok(runtime >= 4.5, `ran ${runtime}s, past the old 3s limit`);

    // shrink: a 1h job ends at its new limit
    const b = submit(inst, ['-t', '1h', 'sleep', '300']);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', b, 'start']).code, 0);
    assert.is(inst.flux(['update', b, 'duration=4s']).code, 0);
    assert.is(inst.flux(['job', 'wait-event', '-t', '30', b, 'clean']).code, 0);
    assert.match(inst.flux(['job', 'eventlog', b]).stdout, /exception type="timeout" severity=0 note="resource allocation expired"/);

    // unlimited: a 2s job that runs 4s completes
    const c = submit(inst, ['-t', '2s', 'sleep', '4']);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', c, 'start']).code, 0);
    assert.is(inst.flux(['update', c, 'duration=0']).code, 0);
    assert.is(inst.flux(['jobs', '-n', '-o', '{duration} {expiration}', c]).stdout, '0.0 0.0\n');
    assert.is(inst.flux(['job', 'wait-event', '-t', '30', c, 'clean']).code, 0);
    const clog = inst.flux(['job', 'eventlog', c]).stdout;
    assert.match(clog, /resource-update expiration=0\.0\n/);
    assert.not.match(clog, /exception/);
    assert.match(clog, /finish status=0/);
  } finally {
    await inst.stop();
  }
});

test('the scheduler plans with the new expiration (backfill)', async () => {
  const inst = await start(['--conf=sched.policy="backfill"']);
  try {
    const long = submit(inst, ['-n1', '-t', '1h', 'sleep', '3600']);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', long, 'start']).code, 0);
    const big = submit(inst, ['-n2', '-t', '10s', 'true']);
    // the long job now ends 30s after its start: the big job is reserved then, and a 5m job may not backfill
    assert.is(inst.flux(['update', long, 'duration=30s']).code, 0);
    const fiveMin = submit(inst, ['-n1', '-t', '5m', 'true']);
    const short = submit(inst, ['-n1', '-t', '1s', 'true']);
    await waitUntil(() => field(inst, short, 'state') === 'INACTIVE', { what: 'the 1s job to backfill' });
    assert.is(field(inst, fiveMin, 'state'), 'SCHED', 'the 5m job would delay the big one: it waits');
    assert.is(field(inst, big, 'state'), 'SCHED');
    // a pending job's new duration reaches the scheduler: at 1s it fits before the reservation
    assert.is(inst.flux(['update', fiveMin, 'duration=1s']).code, 0);
    await waitUntil(() => field(inst, fiveMin, 'state') === 'INACTIVE', { what: 'the shortened job to backfill', timeoutMs: 20_000 });
    assert.is(field(inst, long, 'state'), 'RUN', 'it ran before the long job ended');
    assert.is(field(inst, big, 'state'), 'SCHED');
    inst.flux(['cancel', '--all']);
  } finally {
    await inst.stop();
  }
});

test('limits and queues: a duration beyond the limit and a queue change are checked; updates survive a restart', async () => {
  const conf = path.join(tmp.dir, 'q.toml');
  fs.writeFileSync(
    conf,
    ['[queues.debug]', '[queues.batch]', '[queues.batch.policy.limits]', 'duration = "10m"', '[policy.limits]', 'duration = "1h"', '[policy.jobspec.defaults.system]', 'queue = "debug"', ''].join('\n'),
  );
  const statedir = path.join(tmp.dir, 'state');
  let inst = await start(['-c', conf, `-Sstatedir=${statedir}`]);
  let p: string;
  try {
    p = submit(inst, ['-t', '30m', '--job-name=a', 'true']);
    assert.is(field(inst, p, 'queue'), 'debug');
    let r = inst.flux(['update', p, 'duration=2h']);
    assert.is(r.stderr, 'flux-update: ERROR: requested duration (2h) exceeds policy limit of 1h for queue debug\n');
    r = inst.flux(['update', p, 'queue=batch']);
    assert.is(r.stderr, 'flux-update: ERROR: requested duration (30m) exceeds policy limit of 10m for queue batch\n');
    r = inst.flux(['update', p, 'queue=nosuch']);
    assert.is(r.stderr, "flux-update: ERROR: 'nosuch' is not a valid queue\n");
    r = inst.flux(['update', p, 'queue=batch', 'duration=5m']);
    assert.is(r.code, 0, r.stderr);
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue} {duration} {name} {state}', p]).stdout, 'batch 300.0 a SCHED\n', 'queues are stopped until started');
  } finally {
    await inst.stop();
  }
  inst = await start(['-c', conf, `-Sstatedir=${statedir}`]);
  try {
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue} {duration} {name} {state}', p]).stdout, 'batch 300.0 a SCHED\n', 'the update survives a restart');
    assert.is(inst.flux(['queue', 'start', '-q', 'batch']).code, 0);
    assert.is(inst.flux(['job', 'wait-event', '-t', '20', p, 'clean']).code, 0);
  } finally {
    await inst.stop();
  }
});

test("queue: the job takes the new queue's requires, and an unsatisfiable result is refused", async () => {
  const conf = path.join(tmp.dir, 'req.toml');
  fs.writeFileSync(
    conf,
    TWO_QUEUES_TOML,
  );
  const inst = await start(['--test-size=2', '--test-hosts=node[0-1]', '-c', conf]);
  try {
    const a = submit(inst, ['flux', 'getattr', 'rank']);
    const b = submit(inst, ['--requires=batch', 'true']);
    let r = inst.flux(['update', a, 'queue=debug']);
    assert.is(r.code, 0, r.stderr);
    assert.match(inst.flux(['job', 'eventlog', a]).stdout, /jobspec-update attributes\.system\.queue="debug" attributes\.system\.constraints=\{"properties":\["debug"\]\}\n/);
    r = inst.flux(['update', b, 'queue=debug']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^flux-update: ERROR: attributes\.system\.queue: unsatisfiable request/);
    assert.is(inst.flux(['jobs', '-n', '-o', '{queue}', b]).stdout, 'batch\n', 'nothing applied');
    assert.is(inst.flux(['queue', 'start', '--all']).code, 0);
    r = inst.flux(['job', 'attach', a]);
    assert.is(r.stdout, '0\n', 'it ran on the debug queue\'s node (rank 0)');
  } finally {
    await inst.stop();
  }
});

test.run();
