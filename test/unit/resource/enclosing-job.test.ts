/**
 * A nested instance's ranks from its job's R (modules/resource/enclosing-job.ts):
 * the job's nodes in rank order become ranks 0..N-1, a rank's cores 0..k-1
 * (indexes of the CPUs its broker is bound to), GPUs keep the node's ids;
 * an R that does not fit the instance is a reason, not ranks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jobResources } from '../../../modules/resource/enclosing-job';

const R = (rlite: unknown[], nodelist: string[], expiration = 0) => ({ version: 1, execution: { R_lite: rlite, nodelist, starttime: 1, expiration } });

test("a job's nodes become ranks 0..N-1, cores renumbered, GPU ids kept", () => {
  const got = jobResources(R([{ rank: '3', children: { core: '2-3', gpu: '1' } }, { rank: '5', children: { core: '4' } }], ['n3', 'n5'], 1234.5), 2);
  assert.equal(got, {
    ranks: [
      { rank: 0, hostname: 'n3', cores: [0, 1], gpus: [1] },
      { rank: 1, hostname: 'n5', cores: [0], gpus: [] },
    ],
    expiration: 1234.5,
  });
});

test('an R that does not fit is a reason for its ranks; its expiration still holds', () => {
  assert.equal(jobResources(R([{ rank: '0', children: { core: '0-1' } }], ['vm'], 99), 2), { ranks: "the job's R has 1 node, the instance 2 brokers", expiration: 99 });
  assert.is(jobResources({ version: 2 }, 1), "the job's R is not an R document");
  assert.is(jobResources(undefined, 1), "the job's R is not an R document");
});

test.run();
