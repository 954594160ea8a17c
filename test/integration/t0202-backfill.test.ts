/**
 * Scheduling policy end to end: on a singleton given 2 cores
 * (FLUX_RESOURCE_FAKE_CORES, whatever the host has), a running 1-core job holds
 * a 2-core job back; a short 1-core job submitted after it starts at once under
 * EASY backfill and waits in line under fcfs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Client } from '../../cli/api';
import { startInstance, type Instance } from '../helpers/flux';
import { waitUntil } from '../helpers/wait';

function state(inst: Instance, id: string): string {
  return inst.flux(['jobs', '-a', '-n', '-o', '{state}', id]).stdout.trim();
}

/** the scheduler's own view: which job ids it holds pending and running */
async function schedStatus(inst: Instance): Promise<{ pending: number[]; running: number[] }> {
  const h = await Client.connect(inst.uri);
  try {
    return await h.rpc<{ pending: number[]; running: number[] }>('sched.status', {});
  } finally {
    h.close();
  }
}

async function scenario(policy: string): Promise<{ big: string; small: string }> {
  const inst = await startInstance([`--conf=sched.policy="${policy}"`], { env: { FLUX_RESOURCE_FAKE_CORES: '2' } });
  try {
    const rl = inst.flux(['resource', 'list', '-no', '{ncores}']);
    assert.is(rl.stdout.trim(), '2', `FLUX_RESOURCE_FAKE_CORES=2 gives the node 2 cores (exit ${rl.code}: ${rl.stderr})`);
    const run = (args: string[]) => {
      const r = inst.flux(['submit', ...args]);
      assert.is(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    // runs until cancelled; its limit is far beyond the test, so the big job's reservation is too
    const long = run(['-n1', '-t', '1h', 'sleep', '3600']);
    await waitUntil(() => state(inst, long) === 'RUN', { what: `the long job ${long} to run` });
    const big = run(['-n2', '-t', '10s', 'true']);
    const small = run(['-n1', '-t', '2s', 'true']);
    if (policy === 'backfill') {
      await waitUntil(() => state(inst, small) === 'INACTIVE', { what: `the small job ${small} to run and end` });
    } else {
      // the scheduler has both in its queue and decided on them: neither runs while the long job holds a core
      await waitUntil(async () => (await schedStatus(inst)).pending.length === 2, { what: 'sched to hold 2 jobs pending' });
    }
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
