/**
 * job-ingest's TurnQueue (modules/job-ingest/batch.ts): the jobs of one loop
 * turn are asked in one batch request, each gets its own answer, and a batch
 * the service cannot answer is asked again job by job.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TurnQueue } from '../../../modules/job-ingest/batch';

function service(opts: { batch: 'ok' | 'enosys' | 'short' }) {
  const calls: string[] = [];
  const q = new TurnQueue<number, string>(
    async (items) => {
      calls.push(`many ${items.join(',')}`);
      if (opts.batch === 'enosys') throw new Error('ENOSYS');
      const out = items.map((n) => (n % 2 === 0 ? new Error(`odd one out ${n}`) : `ok ${n}`));
      return opts.batch === 'short' ? out.slice(1) : out;
    },
    async (n) => {
      calls.push(`one ${n}`);
      if (n % 2 === 0) throw new Error(`refused ${n}`);
      return `one ${n}`;
    },
  );
  return { q, calls };
}

const settle = (ps: Array<Promise<string>>) => Promise.all(ps.map((p) => p.then((v) => v, (e: Error) => `error: ${e.message}`)));

test('the jobs of one turn go in one batch, each answered in order; a refused one alone', async () => {
  const { q, calls } = service({ batch: 'ok' });
  const r = await settle([1, 2, 3].map((n) => q.add(n)));
  assert.equal(r, ['ok 1', 'error: odd one out 2', 'ok 3']);
  assert.equal(calls, ['many 1,2,3']);
  // the next turn is a batch of its own
  assert.equal(await settle([5, 7].map((n) => q.add(n))), ['ok 5', 'ok 7']);
  assert.equal(calls, ['many 1,2,3', 'many 5,7']);
});

test('a lone job asks the plain question', async () => {
  const { q, calls } = service({ batch: 'ok' });
  assert.equal(await settle([q.add(4)]), ['error: refused 4']);
  assert.equal(calls, ['one 4']);
});

test('a batch the service cannot answer (no such method, or the wrong number of results) is asked job by job', async () => {
  for (const batch of ['enosys', 'short'] as const) {
    const { q, calls } = service({ batch });
    assert.equal(await settle([1, 2, 3].map((n) => q.add(n))), ['one 1', 'error: refused 2', 'one 3'], batch);
    assert.equal(calls, ['many 1,2,3', 'one 1', 'one 2', 'one 3'], batch);
  }
});

test.run();
