/**
 * The client API a workflow author uses (cli/api, docs/guide/client-api.md),
 * against a real instance of two brokers: the Jobspec builders give what
 * `flux submit/alloc/batch --dry-run` print; submit/wait/result report exit
 * codes and signals; eventWatch and outputWatch follow a job to its end (and
 * stop when the loop is left); cancel and kill act on jobs; jobList, getJob,
 * kvs and resourceList read the instance; FluxExecutor runs 50 jobs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flux, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';
import {
  Client,
  Errno,
  FluxError,
  FluxExecutor,
  JobException,
  Jobspec,
  cancel,
  eventWatch,
  getJob,
  jobList,
  kill,
  kvs,
  outputWatch,
  parseJobId,
  raise,
  jobid,
  resourceList,
  result,
  submit,
  wait,
  type EventLogEntry,
  type JobspecV1,
} from '../../cli/api';

let inst: Instance | undefined;
let h: Client;
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
  h = await Client.connect(inst.uri);
});

test.after(async () => {
  h?.close();
  if (inst) {
    const rc = await inst.stop();
    if (rc !== 0) inst.kill();
  }
  tmp.cleanup();
});

const ENV = { A: '1' };
const ENV_ARGS = ['--env-remove=*', '--env=A=1'];

function dryRun(args: readonly string[]): JobspecV1 {
  const r = flux(args, { cwd: tmp.dir });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as JobspecV1;
}

test('Jobspec.fromCommand gives the jobspec flux submit --dry-run prints', () => {
  const cases: Array<[string[], Parameters<typeof Jobspec.fromCommand>[1], string[]]> = [
    [
      ['-n4', '-c2', '-N2', '-t', '90s', '--job-name=hn', '-q', 'batch', '-o', 'cpu-affinity=per-task', '-S', 'user.study=3'],
      { numTasks: 4, coresPerTask: 2, numNodes: 2, duration: 90, name: 'hn', queue: 'batch', shellOptions: { 'cpu-affinity': 'per-task' }, attributes: { 'user.study': 3 } },
      ['hostname', '-s'],
    ],
    [['-N1', '-x', '-g1', '--output=o.{{id}}', '--error=e.{{id}}', '-t', '2h'], { numNodes: 1, exclusive: true, gpusPerTask: 1, output: 'o.{{id}}', error: 'e.{{id}}', duration: '2h' }, ['a.out']],
    [['--cores=4', '--tasks-per-core=2', '--requires=host:vm', '--dependency=afterok:ƒ2'], { cores: 4, tasksPerCore: 2, requires: 'host:vm', dependencies: ['afterok:ƒ2'] }, ['true']],
    [['-N2', '--tasks-per-node=3', '--label-io', '--input=in.txt'], { numNodes: 2, tasksPerNode: 3, labelIo: true, input: 'in.txt' }, ['cat']],
    [['-N2', '--gpus-per-node=1', '-B', 'bank1', '-u', '--env=B=2', '--cwd=sub'], { numNodes: 2, gpusPerNode: 1, bank: 'bank1', unbuffered: true, env: ['B=2'], cwd: path.join(tmp.dir, 'sub') }, ['env']],
  ];
  for (const [cliArgs, opts, argv] of cases) {
    const cli = dryRun(['submit', '--dry-run', ...ENV_ARGS, ...cliArgs, ...argv]);
    const api = Jobspec.fromCommand(argv, { cwd: tmp.dir, ...opts, environment: ENV }).jobspec;
    assert.equal(api, cli, `flux submit ${cliArgs.join(' ')}`);
  }
});

test('Jobspec.fromNestCommand and fromBatchCommand give what flux alloc and flux batch --dry-run print', () => {
  const alloc = dryRun(['alloc', '--dry-run', ...ENV_ARGS, '-N2', '-n4', '-c2', '-g1', '-x', '--output=i.out', '--broker-opts=-Sbroker.quorum=1', 'flux', 'run', 'hostname']);
  const nest = Jobspec.fromNestCommand(['flux', 'run', 'hostname'], {
    numNodes: 2,
    numSlots: 4,
    coresPerSlot: 2,
    gpusPerSlot: 1,
    exclusive: true,
    output: 'i.out',
    brokerOpts: ['-Sbroker.quorum=1'],
    environment: ENV,
    cwd: tmp.dir,
  });
  assert.equal(nest.jobspec, alloc);
  const text = '#!/bin/sh\n#flux: -n2\n#flux: --job-name=study\nflux run -n2 hostname\n';
  fs.writeFileSync(path.join(tmp.dir, 'job.sh'), text);
  const batch = dryRun(['batch', '--dry-run', ...ENV_ARGS, '-t', '10m', 'job.sh', 'a', 'b']);
  const api = Jobspec.fromBatchCommand(text, { jobname: 'job.sh', args: ['a', 'b'], duration: '10m', environment: ENV, cwd: tmp.dir });
  assert.equal(api.jobspec, batch);
});

test('submit, wait and result: exit codes, signals, results', async () => {
  const run = (cmd: string) => submit(h, Jobspec.fromCommand(['sh', '-c', cmd]), { waitable: true });
  const ok = await run('exit 0');
  const three = await run('exit 3');
  const sig = await run('kill -TERM $$');
  const [r0, r3, rs] = await Promise.all([result(h, ok), result(h, three), result(h, sig)]);
  assert.equal([r0.result, r0.returncode, r0.success], ['COMPLETED', 0, true]);
  assert.equal([r3.result, r3.returncode, r3.success], ['FAILED', 3, false]);
  // as in Flux: the job shell exits 128+signal for a task a signal killed
  assert.equal([rs.result, rs.returncode], ['FAILED', 143]);
  assert.ok(r3.runtime !== undefined && r3.runtime >= 0);
  assert.equal(await wait(h, ok), { id: ok, success: true, errstr: '' });
  const w3 = await wait(h, three);
  assert.equal([w3.id, w3.success], [three, false]);
  assert.match(w3.errstr, /exit code 3/);
  const any = await wait(h);
  assert.is(any.id, sig);
  try {
    await wait(h);
    assert.unreachable('a fourth wait has nothing to wait for');
  } catch (e) {
    assert.is((e as FluxError).errno, Errno.ECHILD);
  }
  const refused = await submit(h, Jobspec.fromCommand(['true'], { numTasks: 1000 })).catch((e: unknown) => e);
  assert.instance(refused, FluxError);
  assert.match((refused as Error).message, /unsatisfiable|not enough|cannot/i);
});

test('eventWatch: the main and exec eventlogs in order, to their end; leaving the loop cancels the watch', async () => {
  const id = await submit(h, Jobspec.fromCommand(['true'], { numTasks: 2 }));
  const names: string[] = [];
  for await (const e of eventWatch(h, id)) names.push(e.name);
  assert.equal(names, ['submit', 'validate', 'depend', 'priority', 'alloc', 'start', 'finish', 'release', 'free', 'clean']);
  const exec: string[] = [];
  for await (const e of eventWatch(h, id, { path: 'exec' })) exec.push(e.name);
  assert.is(exec[0], 'init');
  assert.is(exec[exec.length - 1], 'done');
  assert.ok(exec.includes('shell.start'), exec.join(' '));

  const stats = async () => (await h.rpc<{ watchers: number }>('kvs.stats-get', {}, { nodeid: 0 })).watchers;
  const before = await stats();
  const long = await submit(h, Jobspec.fromCommand(['sleep', '300']));
  let first: EventLogEntry | undefined;
  for await (const e of eventWatch(h, long)) {
    first = e;
    break;
  }
  assert.is(first?.name, 'submit');
  await waitUntil(async () => (await stats()) === before, { what: 'the watch to be cancelled' });
  // a job that never ran has no exec eventlog: the watch ends at once it is inactive
  await cancel(h, long, 'enough');
  const none: string[] = [];
  const held = await submit(h, Jobspec.fromCommand(['true']), { urgency: 'hold' });
  setTimeout(() => void cancel(h, held), 200);
  for await (const e of eventWatch(h, held, { path: 'exec' })) none.push(e.name);
  assert.equal(none, []);
  try {
    for await (const _ of eventWatch(h, 12345)) assert.unreachable();
    assert.unreachable('an unknown job has no eventlog');
  } catch (e) {
    assert.is((e as FluxError).errno, Errno.ENOENT);
  }
});

test('outputWatch: each task\'s stdout and stderr, to the end', async () => {
  const id = await submit(h, Jobspec.fromCommand(['sh', '-c', 'echo out$FLUX_TASK_RANK; echo err$FLUX_TASK_RANK >&2; seq 1 3'], { numTasks: 2 }));
  const got: Record<string, string> = {};
  for await (const c of outputWatch(h, id)) got[`${c.stream}.${c.rank}`] = (got[`${c.stream}.${c.rank}`] ?? '') + c.data;
  assert.equal(got, { 'stdout.0': 'out0\n1\n2\n3\n', 'stdout.1': 'out1\n1\n2\n3\n', 'stderr.0': 'err0\n', 'stderr.1': 'err1\n' });
  const errOnly: string[] = [];
  for await (const c of outputWatch(h, id, { stream: 'stderr' })) errOnly.push(String(c.data));
  assert.equal(errOnly.sort(), ['err0\n', 'err1\n']);
  // a long stream left after the first chunk: the loop ends, the job goes on
  const chatty = await submit(h, Jobspec.fromCommand(['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done']));
  for await (const c of outputWatch(h, chatty)) {
    assert.match(String(c.data), /^line 0\n/);
    break;
  }
  assert.is((await result(h, chatty)).returncode, 0);
});

test('cancel and kill', async () => {
  const pending = await submit(h, Jobspec.fromCommand(['true']), { urgency: 'hold' });
  await cancel(h, pending, 'not today');
  const rp = await result(h, pending);
  assert.equal([rp.result, rp.returncode, rp.exception.type, rp.exception.note], ['CANCELED', -128, 'cancel', 'not today']);
  const running = await submit(h, Jobspec.fromCommand(['sleep', '300']));
  for await (const e of eventWatch(h, running)) if (e.name === 'start') break;
  // a non-fatal exception is posted and the job goes on; the id in any encoding names the job
  await raise(h, jobid(running), 'test', 3, 'just so');
  for await (const e of eventWatch(h, parseJobId(jobid(running, 'dec')))) {
    if (e.name !== 'exception') continue;
    assert.equal(e.context, { type: 'test', severity: 3, note: 'just so', userid: process.getuid!() });
    break;
  }
  await kill(h, running, 'SIGINT');
  assert.is((await result(h, running)).returncode, 130);
  try {
    await kill(h, running);
    assert.unreachable('an inactive job cannot be signalled');
  } catch (e) {
    assert.match((e as Error).message, /inactive/);
  }
});

test('jobList, getJob, kvs and resourceList', async () => {
  const named = await submit(h, Jobspec.fromCommand(['sh', '-c', 'exit 5'], { name: 'findme' }));
  await result(h, named);
  const failed = await jobList(h, { states: ['inactive'], results: ['failed'], name: 'findme' });
  assert.equal(failed.map((j) => [j.id, j.state, j.result, j.returncode]), [[named, 'INACTIVE', 'FAILED', 5]]);
  assert.is((await jobList(h, { max: 2 })).length, 2);
  assert.is((await getJob(h, named))?.name, 'findme');
  assert.is(await getJob(h, 12345), undefined);

  await kvs.put(h, 'user.study.state', { step: 1 });
  assert.equal(await kvs.get(h, 'user.study.state'), { step: 1 });
  assert.ok((await kvs.dir(h, 'user.study')).includes('user.study.state'));
  await kvs.put(h, 'user.study.tmp', 'x');
  assert.is(await kvs.unlink(h, 'user.study.tmp'), 1);
  assert.not.ok((await kvs.dir(h, 'user.study')).includes('user.study.tmp'));
  const seen: unknown[] = [];
  for await (const v of kvs.watch(h, 'user.study.state')) {
    seen.push(v);
    if (seen.length === 1) await kvs.put(h, 'user.study.state', { step: 2 });
    else break;
  }
  assert.equal(seen, [{ step: 1 }, { step: 2 }]);
  try {
    await kvs.get(h, 'user.nothing');
    assert.unreachable();
  } catch (e) {
    assert.is((e as FluxError).errno, Errno.ENOENT);
  }

  const rl = await resourceList(h);
  const cli = inst!.flux(['resource', 'list', '-s', 'all', '-no', '{nnodes} {ncores} {ranks}']);
  assert.is(`${rl.all.nnodes} ${rl.all.ncores} ${rl.all.ranks}\n`, cli.stdout);
  assert.is(rl.up.nnodes, 2);
  assert.is(rl.free.ncores + rl.allocated.ncores, rl.up.ncores);
});

test('FluxExecutor: 50 jobs, their ids and exit codes; a held job canceled; a refused submission; shutdown', async () => {
  const ex = new FluxExecutor({ uri: inst!.uri });
  const t0 = Date.now();
  const futures = Array.from({ length: 50 }, (_, i) => ex.submit(Jobspec.fromCommand(['sh', '-c', `exit ${i % 4}`])));
  const held = ex.submit(Jobspec.fromCommand(['true']), { urgency: 'hold' });
  const refused = ex.submit(Jobspec.fromCommand(['true'], { numTasks: 1000 }));
  const started = new Promise<string>((resolve) => futures[0]!.addEventCallback('start', (e, f) => void f.jobid().then((id) => resolve(`${e.name} ${id}`))));
  const codes = await Promise.all(futures);
  assert.is(await started, `start ${await futures[0]!.jobid()}`);
  const secs = (Date.now() - t0) / 1000;
  assert.equal(codes, Array.from({ length: 50 }, (_, i) => i % 4));
  const ids = await Promise.all(futures.map((f) => f.jobid()));
  assert.is(new Set(ids).size, 50);
  assert.ok(futures.every((f) => f.done()));
  assert.is(held.done(), false);
  assert.is(await held.cancel('no need'), true);
  const exc = await held.exception();
  assert.instance(exc, JobException);
  assert.equal([(exc as JobException).type, (exc as JobException).note], ['cancel', 'no need']);
  assert.instance(await refused.exception(), FluxError);
  await refused.jobid().then(
    () => assert.unreachable('a refused submission has no id'),
    (e: unknown) => assert.instance(e, FluxError),
  );
  await ex.shutdown();
  assert.throws(() => ex.submit(Jobspec.fromCommand(['true'])), /cannot submit after shutdown/);
  process.stderr.write(`# FluxExecutor: 50 jobs submitted and done in ${secs.toFixed(2)} s\n`);
});

test.run();
