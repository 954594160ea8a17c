/**
 * Scheduling policy end to end: on a 2-core singleton, a running 1-core job holds
 * a 2-core job back; a short 1-core job submitted after it starts at once under
 * EASY backfill and waits in line under fcfs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startInstance, type Instance } from '../helpers/flux';

function state(inst: Instance, id: string): string {
  return inst.flux(['jobs', '-a', '-n', '-o', '{state}', id]).stdout.trim();
}

async function scenario(policy: string): Promise<{ big: string; small: string }> {
  const inst = await startInstance([`--conf=sched.policy="${policy}"`]);
  try {
    const ncores = inst.flux(['resource', 'list', '-no', '{ncores}']).stdout.trim();
    assert.is(ncores, '2', 'this test expects a 2-core node');
    const run = (args: string[]) => {
      const r = inst.flux(['submit', ...args]);
      assert.is(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const long = run(['-n1', '-t', '20s', 'sleep', '4']);
    // wait until the long job runs
    for (let i = 0; i < 50 && state(inst, long) !== 'RUN'; i++) await new Promise((r) => setTimeout(r, 100));
    const big = run(['-n2', '-t', '10s', 'true']);
    const small = run(['-n1', '-t', '2s', 'true']);
    await new Promise((r) => setTimeout(r, 1500));
    const res = { big: state(inst, big), small: state(inst, small) };
    inst.flux(['cancel', '--all']);
    return res;
  } finally {
    await inst.stop();
  }
}

test('backfill: the short job runs ahead of the blocked 2-core job', async () => {
  const r = await scenario('backfill');
  assert.is(r.big, 'SCHED');
  assert.is(r.small, 'INACTIVE');
});

test('fcfs: the short job waits behind the blocked 2-core job', async () => {
  const r = await scenario('fcfs');
  assert.is(r.big, 'SCHED');
  assert.is(r.small, 'SCHED');
});

test.run();
