/**
 * A stalled broker is torpid, not dead (size 3, 2 fake cores per rank,
 * tbon.torpid_min=0.25s, tbon.torpid_max=2s): a leaf stopped with SIGSTOP is
 * shown torpid by `flux overlay status` and `flux resource status`, is down
 * for the scheduler (a new job goes elsewhere although the stopped rank has a
 * free core), is still torpid, not lost, long after the 10 s that used to
 * kill it, and on SIGCONT is full again with its running job intact.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';
import { until } from '../helpers/wait';

let inst: Instance | undefined;
let stopped: number | undefined;
const tmp = tmpdir();

test.before(async () => {
  inst = await startInstance(['--test-size=3', '-Stbon.torpid_min=0.25s', '-Stbon.torpid_max=2s'], {
    env: { FLUX_RESOURCE_FAKE_CORES: '2' },
  });
});

test.after(async () => {
  if (stopped !== undefined) {
    try {
      process.kill(stopped, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  fs.writeFileSync(path.join(tmp.dir, 'go-a'), '');
  fs.writeFileSync(path.join(tmp.dir, 'go-b'), '');
  if (inst) await inst.stop();
  tmp.cleanup();
});

/** a job that runs until `go-NAME` exists */
const waiter = (name: string) => `while [ ! -e ${tmp.dir}/go-${name} ]; do sleep 0.05; done; echo done-${name}`;

test('a stopped leaf is torpid, not lost; nothing new lands on it; SIGCONT brings it back with its job', async () => {
  const i = inst!;
  const host = i.flux(['getattr', 'hostname']).stdout.trim();
  const rundir = i.flux(['getattr', 'rundir']).stdout.trim();
  const pid1 = Number(i.flux(['getattr', 'broker.pid'], { env: { FLUX_URI: `local://${rundir}/local-1` } }).stdout);
  assert.ok(pid1 > 0);

  // a: all of rank 0; b: one core of rank 1 (rank 1 keeps a free core)
  const a = i.flux(['submit', '-N1', 'sh', '-c', waiter('a')]).stdout.trim();
  const b = i.flux(['submit', '-n1', 'sh', '-c', waiter('b')]).stdout.trim();
  for (const id of [a, b]) assert.is(i.flux(['job', 'wait-event', '-t', '30', id, 'start']).code, 0);
  assert.is(i.flux(['jobs', '-no', '{ranks}', a, b]).stdout, '0\n1\n');

  process.kill(pid1, 'SIGSTOP');
  stopped = pid1;
  await until(() => /1 \S+: torpid/.test(i.flux(['overlay', 'status']).stdout), 'rank 1 to be torpid');
  assert.is(i.flux(['overlay', 'status']).stdout, `0 ${host}: full\n├─ 1 ${host}: torpid\n└─ 2 ${host}: full\n`);
  assert.is(i.flux(['overlay', 'status', '--down', '--no-pretty']).stdout, `0 ${host}: full\n1 ${host}: torpid\n`);
  assert.match(i.flux(['dmesg']).stdout, new RegExp(`overlay\\.err\\[0\\]: broker on ${host} \\(rank 1\\) has been unresponsive for \\d`));
  await until(() => i.flux(['resource', 'status', '-s', 'torpid', '-no', '{ranks}']).stdout === '1\n', 'resource status to list rank 1 torpid');
  assert.is(i.flux(['resource', 'status', '-s', 'avail', '-no', '{ranks}']).stdout, '0,2\n');
  assert.is(i.flux(['resource', 'status', '-s', 'drain', '-no', '{nnodes}']).stdout, '0\n', 'torpid is not drained');
  assert.is(i.flux(['resource', 'list', '-s', 'down', '-no', '{ranks}']).stdout, '1\n');

  // rank 1 has a free core, but it is torpid: the job goes to rank 2
  const c = i.flux(['submit', '-n1', 'true']).stdout.trim();
  assert.is(i.flux(['job', 'wait-event', '-t', '30', c, 'clean']).code, 0);
  assert.is(i.flux(['jobs', '-no', '{ranks} {result}', c]).stdout, '2 COMPLETED\n');

  // the link itself has no silence limit any more: still torpid well past the old 10 s
  await until(() => {
    const m = /1 \S+: torpid for ([\d.]+)s/.exec(i.flux(['overlay', 'status', '-v']).stdout);
    return m !== null && Number(m[1]) >= 11;
  }, 'rank 1 to have been torpid for 11s');
  assert.match(i.flux(['overlay', 'status']).stdout, `├─ 1 ${host}: torpid\n`);
  assert.not.match(i.flux(['dmesg']).stdout, /rank 1\) failed|dead to Flux/);

  process.kill(pid1, 'SIGCONT');
  stopped = undefined;
  await until(() => i.flux(['overlay', 'status']).stdout === `0 ${host}: full\n├─ 1 ${host}: full\n└─ 2 ${host}: full\n`, 'rank 1 to be full again');
  assert.match(i.flux(['dmesg']).stdout, new RegExp(`overlay\\.err\\[0\\]: broker on ${host} \\(rank 1\\) is responsive now`));
  await until(() => i.flux(['resource', 'status', '-s', 'torpid', '-no', '{nnodes}']).stdout === '0\n', 'rank 1 to leave torpid');
  assert.is(i.flux(['resource', 'list', '-s', 'down', '-no', '{nnodes}']).stdout, '0\n');

  // its job was never touched: it ends normally when told to
  fs.writeFileSync(path.join(tmp.dir, 'go-b'), '');
  const att = i.flux(['job', 'attach', b]);
  assert.is(att.code, 0, att.stderr);
  assert.is(att.stdout, 'done-b\n');
  assert.is(i.flux(['jobs', '-no', '{result} {returncode}', b]).stdout, 'COMPLETED 0\n');
  fs.writeFileSync(path.join(tmp.dir, 'go-a'), '');
  assert.is(i.flux(['job', 'attach', a]).stdout, 'done-a\n');
});

test.run();
