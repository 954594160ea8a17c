/**
 * job-ingest hands the jobs of a loop turn to the job manager in one request
 * (modules/job-ingest/batch.ts); a refused batch is sent again job by job, so
 * that only the job at fault is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TurnBatch } from '../../../modules/job-ingest/batch';

test('the jobs of one turn go in one request, in order', async () => {
  const sent: number[][] = [];
  const b = new TurnBatch<number>((jobs) => {
    sent.push(jobs);
    return Promise.resolve();
  });
  await Promise.all([1, 2, 3].map((j) => b.add(j)));
  await b.add(4);
  assert.equal(sent, [[1, 2, 3], [4]]);
});

test('a refused batch: each job is sent alone, and only the one at fault is refused', async () => {
  const sent: number[][] = [];
  const b = new TurnBatch<number>((jobs) => {
    sent.push(jobs);
    return jobs.includes(2) ? Promise.reject(new Error(`job 2 is refused`)) : Promise.resolve();
  });
  const results = await Promise.allSettled([1, 2, 3].map((j) => b.add(j)));
  assert.equal(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.match(String((results[1] as PromiseRejectedResult).reason), /job 2 is refused/);
  assert.equal(sent, [[1, 2, 3], [1], [2], [3]]);
});

test('a batch of one that is refused is not sent twice', async () => {
  let sends = 0;
  const b = new TurnBatch<number>(() => {
    sends++;
    return Promise.reject(new Error('no'));
  });
  await b.add(1).then(
    () => assert.unreachable('accepted'),
    (e: Error) => assert.is(e.message, 'no'),
  );
  assert.is(sends, 1);
});

test.run();
