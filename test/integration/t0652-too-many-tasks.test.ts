/**
 * A job with more tasks than a node can start never takes the broker down.
 * Under `ulimit -n 512` a broker starts at most (512 - 128) / 12 = 32 tasks of
 * a job (lib/task-fds.ts): a million tasks (per_slot) is refused at submit,
 * at once, in one line; placed by the shell option per-resource, the job
 * fails as it starts, before any task does. Jobs under that bound that still run out of
 * descriptors (several at once) fail with one fatal exception that says so,
 * their started tasks killed; the instance keeps serving (and its warm client
 * pool, which cannot start clients meanwhile, does not crash it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLUX, run, startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until, waitUntil } from '../helpers/wait';

let inst: Instance;
const tmp = tmpdir('flux-t0652-');
const LIMIT = `at most 32 with an open-file limit of 512 (ulimit -n: 12 descriptors a task, 128 for the broker)`;

test.before(async () => {
  inst = await startInstance([], { openFiles: 512 });
});
test.after(async () => {
  try {
    inst.flux(['cancel', '--all']);
    await inst.stop();
  } finally {
    tmp.cleanup();
  }
});

/** a jobspec of one slot (one core), its task count replaced */
function jobspec(count: Record<string, number>, command = ['true']): string {
  const r = inst.flux(['run', '--dry-run', '-n1', ...command]);
  assert.is(r.code, 0, r.stderr);
  const js = JSON.parse(r.stdout) as { tasks: Array<{ count: unknown }> };
  js.tasks[0]!.count = count;
  const file = path.join(tmp.dir, 'jobspec.json');
  fs.writeFileSync(file, JSON.stringify(js));
  return file;
}

test('a million tasks on one node: refused at submit, in one line', () => {
  const t0 = Date.now();
  const r = inst.flux(['job', 'submit', jobspec({ per_slot: 1_000_000 })], { timeoutMs: 20_000 });
  assert.equal(r, { stdout: '', stderr: `flux-job: too many tasks: 1000000 on a node, ${LIMIT}\n`, code: 1 });
  assert.ok(Date.now() - t0 < 15_000, 'refused without working through the tasks');
  assert.is(inst.flux(['jobs', '-a', '-n', '-o', '{id}']).stdout, '', 'no job was made');
});

test('flux run -N1 --tasks-per-core=8000: refused at submit', () => {
  const r = inst.flux(['run', '-N1', '--tasks-per-core=8000', 'true']);
  assert.equal(r, { stdout: '', stderr: `flux-run: ERROR: too many tasks: 8000 on a node, ${LIMIT}\n`, code: 1 });
});

test('a million tasks placed by per-resource (not judged at submit): the job fails as it starts', () => {
  const r = inst.flux(['run', '-n1', '--setopt=per-resource={"type":"node","count":1000000}', 'true'], { timeoutMs: 20_000 });
  assert.is(r.code, 1, r.stderr);
  const note = `start failed: too many tasks: 1000000 on rank 0 (host ${os.hostname()}), ${LIMIT}`;
  assert.match(r.stderr, `type=exec severity=0 ${note}\n`);
  assert.is(inst.flux(['jobs', '-n', '-o', '{status} {exception.note}', r.stderr.match(/job\.exception (\S+)/)![1]!]).stdout, `FAILED ${note}\n`);
});

test('jobs that run out of descriptors fail with one exception; the broker serves on', async () => {
  // 32 tasks fit the bound, but two such jobs at once (one core each) use up 512 descriptors
  const file = jobspec({ total: 32 }, ['sleep', '300']);
  const ids: string[] = [];
  let failed: string | undefined;
  for (let k = 0; k < 2 && failed === undefined; k++) {
    const r = inst.flux(['job', 'submit', file]);
    assert.is(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    ids.push(id);
    // started (its tasks hold their pipes), or failed to
    await waitUntil(() => /^(R|CD|F)$/.test(inst.flux(['jobs', '-n', '-o', '{status_abbrev}', id]).stdout.trim()), { what: `job ${id} running or done`, timeoutMs: 30_000 });
    if (inst.flux(['jobs', '-n', '-o', '{status_abbrev}', id]).stdout.trim() === 'F') failed = id;
  }
  assert.ok(failed, 'a job ran out of descriptors');
  // its tasks that did start were killed: it ends without its sleeps
  const w = inst.flux(['job', 'wait-event', '-t', '30', failed, 'clean']);
  assert.is(w.code, 0, w.stderr);
  const ex = inst.flux(['job', 'eventlog', failed]).stdout.split('\n').filter((l) => / exception /.test(l));
  assert.equal(ex.map((l) => l.replace(/^\S+ /, '')), [`exception type="exec" severity=0 note="host ${os.hostname()}: start failed: too many open files (job has 32 tasks on this node)"`]);
  const c = inst.flux(['cancel', ...ids.filter((i) => i !== failed)]);
  assert.is(c.code, 0, c.stderr);
  await until(() => inst.flux(['jobs', '-n', '-o', '{id}']).stdout === '', 'every job inactive');
  // submitted under the instance's own limit (a higher one is lowered with a warning)
  const ok = run('sh', ['-c', 'ulimit -n 512 && exec "$0" run echo still here', FLUX], { env: inst.env });
  assert.equal(ok, { stdout: 'still here\n', stderr: '', code: 0 });
  assert.is(inst.flux(['uptime']).code, 0);
});

test('a broker that cannot start warm clients logs it once, retries, and serves commands cold', async () => {
  // 26 descriptors: the broker runs, a warm client's pipes do not fit
  const small = await startInstance([], { openFiles: 26 });
  try {
    const stats = () => JSON.parse(small.flux(['module', 'stats', 'cli-pool']).stdout) as { failed: number; idle: number; socket: string };
    // the first clients failed (2), then a retry did (3 and more)
    await waitUntil(() => stats().failed > 2, { what: 'the pool tried again', timeoutMs: 30_000 });
    const s = stats();
    assert.equal([s.idle, s.socket], [0, ''], 'no client, no socket: launchers start Node');
    const errs = small.flux(['dmesg']).stdout.split('\n').filter((l) => l.includes('cli-pool.err'));
    assert.is(errs.length, 1, errs.join('\n'));
    assert.match(errs[0]!, /cli-pool: cannot start a warm client: spawn \S+ EMFILE: flux commands start Node until one starts \(retrying\)$/);
    assert.equal(small.flux(['getattr', 'size']), { stdout: '1\n', stderr: '', code: 0 });
  } finally {
    assert.is(await small.stop(), 0);
  }
});

test.run();
