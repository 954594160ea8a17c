/** RFC 20 R: build, expand, counts and the rlist short form. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rlistSummary, rv1Build, rv1Counts, rv1Expand, rv1Summary } from '../../../lib/formats';

const ranks = [0, 1, 2].map((rank) => ({ rank, hostname: 'vm', cores: [0, 1], gpus: rank === 2 ? [0] : [] }));

test('build groups identical shapes and maps nodelist to sorted ranks', () => {
  const R = rv1Build(ranks, { starttime: 5 });
  assert.equal(R.execution.R_lite, [
    { rank: '0-1', children: { core: '0-1' } },
    { rank: '2', children: { core: '0-1', gpu: '0' } },
  ]);
  assert.equal(R.execution.nodelist, ['vm,vm,vm']);
  assert.is(R.execution.starttime, 5);
  assert.equal(rv1Expand(R), ranks);
  assert.equal(rv1Counts(R), { nnodes: 3, ncores: 6, ngpus: 1 });
});

test('rlist short form', () => {
  assert.is(rv1Summary(rv1Build(ranks.slice(0, 2))), 'rank[0-1]/core[0-1]');
  assert.is(rlistSummary(ranks), 'rank[0-1]/core[0-1] rank2/core[0-1],gpu0');
  assert.is(rlistSummary([{ rank: 0, hostname: 'h', cores: [0], gpus: [] }]), 'rank0/core0');
});

test.run();
