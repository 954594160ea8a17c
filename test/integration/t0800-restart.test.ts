/**
 * Restart on the same statedir (issue 16): inactive jobs are listed again,
 * pending ones are pending again in the same order (held stay held,
 * dependencies and begin-times kept, the queue as it was left), a job that
 * was running when rank 0 died ends with an exception saying the instance
 * restarted (a clean exit cancels them first, as Flux's cleanup does), new
 * ids never reuse old ones (even after every job was purged),
 * and flux job info / eventlog / attach of old jobs work; inactive-num-limit
 * removes purged jobs from the store (its file stops growing). Without a statedir
 * the kvs has no store file (memory only) and the temporary statedir is
 * removed at exit; one kept at exit (statedir-cleanup=0) has its store.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
const started: Instance[] = [];
const dirs: Array<{ cleanup(): void }> = [];

async function start(statedir: string, extra: string[] = []): Promise<Instance> {
  const size = extra.some((a) => a.startsWith('--test-size=')) ? [] : ['--test-size=1'];
  const inst = await startInstance([...size, `-Sstatedir=${statedir}`, ...extra]);
  started.push(inst);
  return inst;
}

/** SIGKILL rank 0 (no cleanup of any kind), then the rest of the process group */
async function killRank0(inst: Instance): Promise<void> {
  const pid = Number(inst.flux(['getattr', 'broker.pid']).stdout.trim());
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => inst.proc.exitCode !== null || inst.proc.signalCode !== null, { what: 'flux start to exit' });
  inst.kill();
}

function newDir(): string {
  const d = tmpdir('flux-t0800-');
  dirs.push(d);
  return path.join(d.dir, 'state');
}

test.after(() => {
  for (const i of started) i.kill();
  for (const d of dirs) d.cleanup();
});

test('jobs survive a restart: inactive listed, held held, running ended, dependencies kept', async () => {
  const dir = newDir();
  const a = await start(dir);
  const done = a.flux(['submit', '--wait', 'echo', 'from-the-first-run']).stdout.trim();
  const held = a.flux(['submit', '--urgency=hold', 'echo', 'held']).stdout.trim();
  const later = a.flux(['submit', '--begin-time=+1h', 'true']).stdout.trim();
  const running = a.flux(['submit', 'sleep', '300']).stdout.trim();
  assert.is(a.flux(['job', 'wait-event', '-t', '30', running, 'start']).code, 0);
  const dep = a.flux(['submit', `--dependency=afterany:${running}`, 'echo', 'after']).stdout.trim();
  const before = a.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout;
  assert.match(before, new RegExp(`${held} S`));
  await killRank0(a);

  const b = await start(dir);
  // the history (.history: flux job last) has the earlier run's jobs, active and inactive, newest first
  assert.is(b.flux(['job', 'last', '[:]']).stdout, [dep, running, later, held, done].map((x) => `${x}\n`).join(''));
  const after = lines(b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev} {dependencies}']).stdout);
  const st = (id: string) => after.find((l) => l.startsWith(id + ' '));
  assert.match(st(done)!, / CD/);
  assert.match(st(held)!, / S/);
  assert.match(st(later)!, / D .*begin-time=/);
  // the running job ended with an exception that says why; its dependent was released (afterany) and ran
  assert.match(st(running)!, / F/);
  const ev = b.flux(['job', 'eventlog', running]).stdout;
  assert.match(ev, /exception type="exec" severity=0 note="instance restarted: reattach to running job is not implemented"/);
  assert.match(ev, /clean\n$/);
  assert.is(b.flux(['job', 'wait-event', '-t', '30', dep, 'clean']).code, 0);
  assert.is(b.flux(['job', 'attach', dep]).stdout, 'after\n');
  // the held job got flux-restart and its priority again
  assert.match(b.flux(['job', 'eventlog', held]).stdout, /flux-restart\n.*priority priority=0\n$/);
  // old jobs: info, eventlog, attach (the output log of an earlier run)
  const attach = b.flux(['job', 'attach', done]);
  assert.is(attach.code, 0, attach.stderr);
  assert.is(attach.stdout, 'from-the-first-run\n');
  assert.match(b.flux(['job', 'info', done, 'jobspec']).stdout, /from-the-first-run/);
  assert.is(b.flux(['job', 'info', done, 'R']).code, 0);
  // new ids are larger than every old one
  const fresh = b.flux(['submit', 'true']).stdout.trim();
  const dec = (id: string) => BigInt(b.flux(['job', 'id', id]).stdout.trim());
  for (const old of [done, held, later, running, dep]) assert.ok(dec(fresh) > dec(old), `${fresh} > ${old}`);
  assert.match(b.flux(['dmesg']).stdout, /restart: 5 jobs/);
  // the held job still runs once released, with the environment it was submitted with
  assert.is(b.flux(['job', 'urgency', held, 'default']).code, 0);
  assert.is(b.flux(['job', 'attach', held]).stdout, 'held\n');
  assert.is(await b.stop(), 0);
});

test('a clean exit cancels the running jobs, as Flux\'s cleanup does: one line, CA after a restart, the queue as it was, no shell lost', async () => {
  const dir = newDir();
  const a = await start(dir, ['--test-size=2']);
  const held = a.flux(['submit', '--urgency=hold', 'echo', 'held']).stdout.trim();
  const running = a.flux(['submit', '-N2', 'sleep', '300']).stdout.trim();
  assert.is(a.flux(['job', 'wait-event', '-t', '30', running, 'start']).code, 0);
  assert.is(await a.stop(), 0);
  // Flux 0.88: "broker.err[0]: cleanup.2: flux-cancel: Canceled 1 job (0 errors)"; its
  // shells on rank 1 were not lost to that broker's exit
  const err = a.stderr();
  assert.match(err, /broker\.err\[0\]: cleanup\.2: flux-cancel: Canceled 1 job \(0 errors\)\n/);
  assert.not.match(err, /lost contact|No route to host/, err);
  const b = await start(dir, ['--test-size=2']);
  const st = lines(b.flux(['jobs', '-a', '-n', '-o', '{id.f58} {status_abbrev}']).stdout);
  assert.ok(st.includes(`${running} CA`), st.join(', '));
  assert.ok(st.includes(`${held} S`), st.join(', '));
  const ev = lines(b.flux(['job', 'eventlog', running]).stdout).map((l) => l.replace(/^\S+ /, ''));
  assert.equal(ev.slice(ev.indexOf('start') + 1), ['exception type="cancel" severity=0 note="" userid=' + process.getuid!(), 'finish status=36608', 'release ranks="all" final=true', 'free', 'clean']);
  // the queues stopped for the exit only: not kept by the checkpoint
  assert.is(b.flux(['queue', 'status']).stdout, 'Job submission is enabled\nScheduling is started\n');
  assert.is(await b.stop(), 0);
});

test('pending jobs come back in the same order, and a stopped queue stays stopped', async () => {
  const dir = newDir();
  const a = await start(dir);
  assert.is(a.flux(['queue', 'stop', '--quiet']).code, 0);
  for (const u of ['16', '20', '16', '31', '10']) assert.is(a.flux(['submit', `--urgency=${u}`, 'true']).code, 0);
  const order = a.flux(['jobs', '-n', '-o', '{id.f58}']).stdout;
  assert.is(lines(order).length, 5);
  assert.is(await a.stop(), 0);

  const b = await start(dir);
  assert.is(b.flux(['jobs', '-n', '-o', '{id.f58}']).stdout, order);
  assert.match(b.flux(['queue', 'status']).stdout, /Scheduling is stopped/);
  assert.is(b.flux(['queue', 'start', '--quiet']).code, 0);
  assert.is(b.flux(['queue', 'drain'], { timeoutMs: 60_000 }).code, 0);
  assert.is(lines(b.flux(['jobs', '-a', '-n', '-o', '{status_abbrev}', '--filter=completed']).stdout).length, 5);
  assert.is(await b.stop(), 0);
});

test('ids never go back, even when every job was purged', async () => {
  const dir = newDir();
  const a = await start(dir);
  const last = a.flux(['submit', '--cc=1-3', '--wait', 'true']).stdout.trim().split('\n').pop()!;
  const lastDec = BigInt(a.flux(['job', 'id', last]).stdout.trim());
  assert.is(a.flux(['job', 'purge', '--force', '--num-limit=0']).code, 0);
  assert.is(await a.stop(), 0);
  const b = await start(dir);
  assert.is(b.flux(['jobs', '-a', '-n']).stdout, '');
  const fresh = BigInt(b.flux(['job', 'id', b.flux(['submit', 'true']).stdout.trim()]).stdout.trim());
  assert.ok(fresh > lastDec, `${fresh} > ${lastDec}`);
  assert.is(await b.stop(), 0);
});

test('inactive-num-limit purges the store too: its file stops growing, a restart finds only the kept jobs', async () => {
  const dir = newDir();
  const conf = path.join(path.dirname(dir), 'conf');
  fs.mkdirSync(conf);
  fs.writeFileSync(path.join(conf, 'job-manager.toml'), '[job-manager]\ninactive-num-limit = 50\n');
  const a = await start(dir, [`--config-path=${conf}`]);
  const store = path.join(dir, 'content.lmdb');
  const sizes: number[] = [];
  let first = '';
  for (let round = 0; round < 4; round++) {
    const r = a.flux(['submit', '--cc=1-300', '--wait', 'true'], { timeoutMs: 120_000 });
    assert.is(r.code, 0, r.stderr);
    if (round === 0) first = lines(r.stdout)[0]!;
    await waitUntil(() => lines(a.flux(['jobs', '-a', '-n']).stdout).length === 50, { what: 'the limit of 50 kept jobs' });
    sizes.push(fs.statSync(store).size);
  }
  // 900 more jobs after the second round: without the purge each would add its records (~1 MB in all)
  assert.ok(sizes[3]! <= sizes[1]! * 1.25, `the store grew with every round: ${sizes.join(', ')} bytes`);
  const kept = lines(a.flux(['jobs', '-a', '-n', '-o', '{id.f58}']).stdout).sort();
  assert.is(await a.stop(), 0);
  const b = await start(dir, [`--config-path=${conf}`]);
  assert.equal(lines(b.flux(['jobs', '-a', '-n', '-o', '{id.f58}']).stdout).sort(), kept);
  // the first job's records left the store, not only the listing
  const gone = b.flux(['job', 'info', first, 'eventlog']);
  assert.is(gone.code, 1, gone.stdout);
  const key = b.flux(['job', 'id', '--to=kvs', first]).stdout.trim();
  assert.is(b.flux(['kvs', 'get', `${key}.eventlog`]).code, 1);
  assert.is(await b.stop(), 0);
});

test('without a statedir the kvs is kept in memory and the temporary statedir is removed at exit', async () => {
  const inst = await startInstance(['--test-size=1']);
  started.push(inst);
  const statedir = inst.flux(['getattr', 'statedir']).stdout.trim();
  assert.is(inst.flux(['submit', '--wait', 'true']).code, 0);
  assert.is(inst.flux(['kvs', 'put', 'k=v']).code, 0);
  assert.is(inst.flux(['kvs', 'get', 'k']).stdout, 'v\n');
  assert.not.ok(fs.existsSync(path.join(statedir, 'content.lmdb')), 'no store file in a statedir removed at exit');
  assert.is(await inst.stop(), 0);
  assert.not.ok(fs.existsSync(statedir), `${statedir} removed`);
  // one kept at exit (statedir-cleanup=0) has its store: a later start can use it
  const kept = await startInstance(['--test-size=1', '-Sstatedir-cleanup=0']);
  started.push(kept);
  const dir = kept.flux(['getattr', 'statedir']).stdout.trim();
  try {
    assert.is(kept.flux(['kvs', 'put', 'k=v']).code, 0);
    assert.ok(fs.existsSync(path.join(dir, 'content.lmdb')), 'the store of a statedir kept at exit');
    assert.is(await kept.stop(), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
