/** ResourcePool matching, feasibility notes and jobspec parsing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rv1Expand, rv1Summary } from '../../../kernel/api';
import { parseJobspec } from '../../../modules/sched/jobspec';
import { jobspec, pool, ranksOf } from './helpers';
import { Pool } from '../../../modules/sched/pool';

const req = (o: Parameters<typeof jobspec>[0]) => parseJobspec(jobspec(o));

test('jobspec shapes', () => {
  assert.equal(req({ n: 4 }), { exclusive: false, nslots: 4, coresPerSlot: 1, gpusPerSlot: 0, duration: 0 });
  assert.equal(req({ N: 2 }), { nnodes: 2, exclusive: true, nslots: 2, coresPerSlot: 1, gpusPerSlot: 0, duration: 0 });
  assert.equal(req({ N: 2, n: 4, c: 2, g: 1, t: 60 }), { nnodes: 2, exclusive: false, nslots: 4, coresPerSlot: 2, gpusPerSlot: 1, duration: 60 });
  assert.throws(() => parseJobspec({ resources: [{ type: 'core', count: 1 }], attributes: { system: { duration: 0 } } }), /unsupported top level resource type 'core'/);
  assert.throws(() => parseJobspec({ resources: [{ type: 'slot', count: 0, with: [{ type: 'core', count: 1 }] }] }), /slot count must be a positive integer/);
});

test('deny notes as Flux', () => {
  assert.is(pool(2, 2).infeasible(req({ N: 5 })), 'unsatisfiable request: need 5 exclusive node(s), only 2 eligible');
  assert.is(
    pool(2, 2).infeasible(req({ n: 1000 })),
    'unsatisfiable request: need 1000 slot(s) of 1 core(s), only 4 such slot(s) available (total cores: 4)',
  );
  assert.match(pool(2, 2).infeasible(req({ n: 1, g: 1 }))!, /need 1 slot\(s\) of 1 core\(s\) and 1 gpu\(s\), only 0 such/);
  assert.is(pool(2, 2).infeasible(req({ n: 4 })), undefined);
});

test('enough nodes but too small: the note names the shortfall, not "only 0 eligible"', () => {
  assert.is(pool(2, 2).infeasible(req({ N: 1, n: 5 })), 'unsatisfiable request: need 5 core(s) on 1 node, nodes have at most 2 core(s)');
  assert.is(pool(2, 2).infeasible(req({ N: 2, n: 6 })), 'unsatisfiable request: need 3 core(s) on each of 2 nodes, nodes have at most 2 core(s)');
  assert.is(
    pool(2, 2, 1).infeasible(req({ N: 1, n: 2, g: 1 })),
    'unsatisfiable request: need 2 core(s) and 2 gpu(s) on 1 node, nodes have at most 2 core(s) and 1 gpu(s)',
  );
  const mixed = new Pool([
    { rank: 0, hostname: 'big', cores: [0, 1, 2, 3], gpus: [] },
    { rank: 1, hostname: 'small0', cores: [0], gpus: [] },
    { rank: 2, hostname: 'small1', cores: [0], gpus: [] },
  ]);
  assert.is(mixed.infeasible(req({ N: 2, n: 4 })), 'unsatisfiable request: need 2 core(s) on each of 2 nodes, only 1 node(s) have that many');
});

test('drained or down ranks still count for feasibility but are not eligible now', () => {
  const p = pool(2, 2, 0, [1]);
  assert.is(p.infeasible(req({ N: 2 })), undefined);
  assert.is(p.match(req({ N: 2 })), undefined);
  assert.equal(ranksOf(p.match(req({ N: 1 }))!), [0]);
});

test('exclusive nodes take whole nodes; slots pack first fit', () => {
  const p = pool(3, 2);
  const R = p.match(req({ N: 2 }))!;
  assert.is(rv1Summary(R), 'rank[0-1]/core[0-1]');
  assert.is(R.execution.nslots, 2);
  assert.equal(R.execution.nodelist, ['node[0-1]']);
  p.take(R);
  assert.is(p.match(req({ N: 2 })), undefined);
  assert.is(rv1Summary(p.match(req({ n: 2 }))!), 'rank2/core[0-1]');
  p.give(R);
  assert.is(rv1Summary(p.match(req({ n: 3 }))!), 'rank0/core[0-1] rank1/core0');
});

test('select=high picks high ranks first', () => {
  const p = pool(3, 2);
  assert.equal(ranksOf(p.match(req({ N: 2 }), 'high')!), [1, 2]);
  assert.is(rv1Summary(p.match(req({ n: 1 }), 'high')!), 'rank2/core0');
});

test('non-exclusive nodes share', () => {
  const p = pool(2, 4);
  p.take(p.match(req({ n: 1 }))!);
  const R = p.match(req({ N: 2, n: 4 }))!;
  assert.equal(
    rv1Expand(R).map((r) => r.cores),
    [
      [1, 2],
      [0, 1],
    ],
  );
});

test('gpus', () => {
  const p = pool(2, 4, 2);
  const R = p.match(req({ n: 3, g: 1 }))!;
  assert.is(rv1Summary(R), 'rank0/core[0-1],gpu[0-1] rank1/core0,gpu0');
  assert.equal(p.clone().allocated(), []);
});

test('waitsForDown: why a feasible request cannot start while ranks are down', () => {
  assert.is(pool(3, 2).waitsForDown(req({ N: 3 })), undefined, 'nothing down');
  const p = pool(4, 2, 0, [3]);
  assert.is(p.waitsForDown(req({ N: 4 })), 'needs 4 node(s), 3 up; 1 node(s) down: node3 (rank 3)');
  assert.is(p.waitsForDown(req({ n: 7 })), 'needs 7 slot(s) of 1 core(s), 6 up; 1 node(s) down: node3 (rank 3)');
  assert.is(p.waitsForDown(req({ N: 3 })), undefined, 'the up nodes can hold it');
  assert.is(p.waitsForDown(req({ n: 6 })), undefined);
  // busy up nodes do not count: the job waits for running jobs, not for down ones
  p.take(p.match(req({ N: 3 }))!);
  assert.is(p.waitsForDown(req({ N: 2 })), undefined);
  assert.is(pool(4, 2, 0, [1, 3]).waitsForDown(req({ N: 3 })), 'needs 3 node(s), 2 up; 2 node(s) down: node[1,3] (rank 1,3)');
});

test('waitsForDown: drained ranks are said to be drained, not down', () => {
  const ranks = [0, 1, 2, 3].map((rank) => ({ rank, hostname: `node${rank}`, cores: [0, 1], gpus: [] }));
  assert.is(new Pool(ranks, [1], undefined, [1]).waitsForDown(req({ N: 4 })), 'needs 4 node(s), 3 up; 1 node(s) drained: node1 (rank 1)');
  assert.is(
    new Pool(ranks, [1, 3], undefined, [1]).waitsForDown(req({ N: 4 })),
    'needs 4 node(s), 2 up; 1 node(s) drained: node1 (rank 1); 1 node(s) down: node3 (rank 3)',
  );
  assert.is(Pool.fromR(new Pool(ranks).match(req({ N: 4 }))!, [2], [2]).waitsForDown(req({ N: 4 })), 'needs 4 node(s), 3 up; 1 node(s) drained: node2 (rank 2)');
  assert.is(new Pool(ranks, [1], undefined, [1]).clone().waitsForDown(req({ N: 4 })), 'needs 4 node(s), 3 up; 1 node(s) drained: node1 (rank 1)', 'a clone keeps them');
});

test.run();
