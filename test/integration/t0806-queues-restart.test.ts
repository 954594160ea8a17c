/**
 * Named queues ([queues.NAME]) across a restart on the same statedir: the
 * state an administrator left them in (flux queue start/stop/enable/disable,
 * with the reason) is in the job manager's checkpoint, except a change made
 * with --nocheckpoint; a queue no longer configured is dropped with a line in
 * dmesg. Its pending jobs stay pending, as in Flux (a line in dmesg each),
 * until the queue is configured again; `flux cancel` ends one meanwhile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startInstance, tmpdir, type Instance } from '../helpers/flux';

const d = tmpdir('flux-t0806-');
const started: Instance[] = [];
const statedir = path.join(d.dir, 'state');
const three = path.join(d.dir, 'three.toml');
const one = path.join(d.dir, 'one.toml');
fs.writeFileSync(three, '[queues.a]\n[queues.b]\n[queues.c]\n');
fs.writeFileSync(one, '[queues.a]\n');

test.after(() => {
  for (const i of started) i.kill();
  d.cleanup();
});

async function instance(conf: string, dir = statedir): Promise<Instance> {
  const i = await startInstance(['--test-size=1', `-Sstatedir=${dir}`, `--conf=${conf}`]);
  started.push(i);
  return i;
}

test('named queue state is kept across a restart, --nocheckpoint changes are not', async () => {
  const a = await instance(three);
  for (const args of [
    ['start', '-q', 'a'],
    ['start', '-q', 'c'],
    ['disable', '-q', 'b', '-m', 'maintenance window'],
    ['stop', '--nocheckpoint', '-q', 'c'],
  ]) {
    const r = a.flux(['queue', ...args]);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const before = a.flux(['queue', 'status']).stdout;
  assert.match(before, /^c: Scheduling is stopped$/m);
  assert.is(await a.stop(), 0);

  const b = await instance(three);
  assert.is(
    b.flux(['queue', 'status']).stdout,
    [
      'a: Job submission is enabled',
      'a: Scheduling is started',
      'b: Job submission is disabled: maintenance window',
      'b: Scheduling is stopped',
      'c: Job submission is enabled',
      // stopped with --nocheckpoint: started, as the checkpoint has it
      'c: Scheduling is started',
      '',
    ].join('\n'),
  );
  // a job in the started queue runs, one in the disabled queue is refused
  assert.is(b.flux(['run', '-q', 'a', 'true']).code, 0);
  const refused = b.flux(['submit', '-q', 'b', 'true']);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /maintenance window/);
  assert.is(await b.stop(), 0);

  const c = await instance(one);
  assert.is(c.flux(['queue', 'status']).stdout, 'a: Job submission is enabled\na: Scheduling is started\n');
  const dmesg = c.flux(['dmesg']).stdout;
  assert.match(dmesg, /restart: queue b is no longer configured: its state is dropped/);
  assert.match(dmesg, /restart: queue c is no longer configured: its state is dropped/);
  assert.is(await c.stop(), 0);
});

test('pending jobs of a queue removed across a restart stay pending, and run once it is back', async () => {
  const dir = path.join(d.dir, 'state2');
  const two = path.join(d.dir, 'two.toml');
  fs.writeFileSync(two, '[queues.a]\n[queues.b]\n');
  const a = await instance(two, dir);
  // queues start stopped: both jobs wait in b
  const keep = a.flux(['submit', '-q', 'b', 'echo', 'ran']).stdout.trim();
  const drop = a.flux(['submit', '-q', 'b', 'true']).stdout.trim();
  assert.is(a.flux(['jobs', '-n', '-o', '{queue} {state}', keep, drop]).stdout, 'b SCHED\nb SCHED\n');
  assert.is(await a.stop(), 0);

  const b = await instance(one, dir);
  const dmesg = b.flux(['dmesg']).stdout;
  for (const id of [keep, drop]) {
    assert.match(dmesg, `job-manager.err[0]: restart: job ${id} is in queue b, which is not configured: it stays pending until the queue is configured again, or is canceled`);
  }
  // queue a's job runs; b's stay pending through the scheduler's pass
  assert.is(b.flux(['queue', 'start', '--all']).code, 0);
  assert.is(b.flux(['run', '-q', 'a', 'true']).code, 0);
  assert.is(b.flux(['jobs', '-n', '-o', '{queue} {state}', keep, drop]).stdout, 'b SCHED\nb SCHED\n');
  assert.is(b.flux(['cancel', drop]).code, 0);
  const w = b.flux(['job', 'wait-event', '-t', '30', drop, 'clean']);
  assert.is(w.code, 0, w.stderr);
  assert.is(b.flux(['jobs', '-n', '-o', '{state} {result}', drop]).stdout, 'INACTIVE CANCELED\n');
  assert.is(await b.stop(), 0);

  const c = await instance(two, dir);
  assert.is(c.flux(['queue', 'start', '-q', 'b']).code, 0);
  const r = c.flux(['job', 'attach', keep]);
  assert.is(r.stdout, 'ran\n', r.stderr);
  assert.is(c.flux(['jobs', '-n', '-o', '{state} {result}', keep]).stdout, 'INACTIVE COMPLETED\n');
  assert.is(await c.stop(), 0);
});

test.run();
