/** 1000 jobs through the pipeline: all complete, none lost, all listed by flux jobs -a (correctness only, no timing). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

let inst: Instance;

test.before(async () => {
  inst = await startInstance(['--test-size=2']);
});
test.after(async () => {
  await inst.stop().catch(() => inst.kill());
});

test('submit --cc=1-1000 --wait: every job completes', () => {
  const r = inst.flux(['submit', '--cc=1-1000', '--wait', 'true'], { timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr.slice(0, 500));
  const ids = r.stdout.trim().split('\n');
  assert.is(ids.length, 1000);
  assert.is(new Set(ids).size, 1000);
  const list = inst.flux(['jobs', '-a', '-n', '-c', '0', '-o', '{id.f58} {status_abbrev}']);
  assert.is(list.code, 0);
  const rows = list.stdout.trim().split('\n');
  assert.is(rows.length, 1000);
  const listed = new Map(rows.map((l) => l.split(' ') as [string, string]));
  for (const id of ids) assert.is(listed.get(id), 'CD', `job ${id}`);
});

test('no job is left active and the queue is idle', () => {
  assert.is(inst.flux(['jobs', '-n']).stdout, '');
  assert.is(inst.flux(['queue', 'idle']).stdout, '0 jobs\n');
  const stats = inst.flux(['jobs', '--stats-only']);
  assert.is(stats.stdout, '0 running, 1000 completed, 0 failed, 0 pending, 0 inactive purged\n');
  assert.is(stats.code, 1);
});

test('no descriptor stays behind per job (pipes, PMI sockets, pidfds of the tasks)', async () => {
  const pid = inst.flux(['getattr', 'broker.pid']).stdout.trim();
  const fds = () => fs.readdirSync(`/proc/${pid}/fd`).length;
  assert.is(inst.flux(['submit', '--cc=1-20', '--quiet', '--wait', 'true']).code, 0);
  const before = fds();
  const r = inst.flux(['submit', '--cc=1-300', '--quiet', '--wait', '-N2', '-n4', 'sh', '-c', 'echo out; echo err >&2']);
  assert.is(r.code, 0, r.stderr);
  // the warm client pool may have grown while the command ran (a client is a
  // socket and a pipe of the broker's) and retires the surplus once idle: wait
  // for that; a descriptor left per job (300 jobs) would never go
  await waitUntil(() => fds() <= before + 2, { what: `rank 0 broker back to ${before} descriptors (+2) after 300 jobs (has ${fds()})`, timeoutMs: 15_000 });
});

test.run();
