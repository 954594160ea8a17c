/** fcfs and backfill policies without a broker: queue order, blocking head, EASY backfill. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fcfs from '../../../plugins/sched/fcfs';
import Backfill from '../../../plugins/sched/backfill';
import type { Decision, SchedPolicy } from '../../../modules/sched/plugin-api';
import { job, pool, ranksOf } from './helpers';

const NOW = 1000;
const allocR = (d: Decision | undefined) => {
  if (d?.type !== 'alloc') throw new Error('expected an alloc decision');
  return d.R;
};
const ids = (ds: Decision[]) => ds.filter((d) => d.type === 'alloc').map((d) => d.id);
const make = (p: typeof Fcfs, opts: Record<string, string> = {}): SchedPolicy => p.create(new Map(Object.entries(opts)));

/**
 * 2 nodes x 2 cores. A long job holds node 0 until t=1100. The head wants both
 * nodes (waits for t=1100). Behind it: a short job (ends 1050) and a long one (ends 2000).
 */
function scenario(policy: SchedPolicy) {
  const p = pool(2, 2);
  const running = job({ N: 1, t: 100 });
  policy.enqueue(running);
  const first = policy.schedule(p.clone(), NOW);
  assert.equal(ids(first), [running.id]);
  for (const d of first) if (d.type === 'alloc') p.take(d.R);
  const head = job({ N: 2, t: 10 });
  const short = job({ n: 2, t: 50 });
  const long = job({ n: 2, t: 1000 });
  policy.enqueue(head);
  policy.enqueue(short);
  policy.enqueue(long);
  return { p, running, head, short, long };
}

test('fcfs: the head blocks everything behind it', () => {
  const pol = make(Fcfs);
  const s = scenario(pol);
  assert.equal(ids(pol.schedule(s.p.clone(), NOW)), []);
  assert.equal(
    pol.queue().map((j) => j.id),
    [s.head.id, s.short.id, s.long.id],
  );
});

test('backfill: a short job runs ahead, a long one would delay the head and waits', () => {
  const pol = make(Backfill);
  const s = scenario(pol);
  const ds = pol.schedule(s.p.clone(), NOW);
  assert.equal(ids(ds), [s.short.id]);
  assert.equal(ranksOf(allocR(ds[0])), [1]);
});

test('backfill: a running job whose end moves (flux update) moves the reservation', () => {
  // the running job now ends at 3000: the long job (ends 2000) no longer delays the head
  const pol = make(Backfill);
  const s = scenario(pol);
  pol.cancel(s.short.id);
  assert.equal(ids(pol.schedule(s.p.clone(), NOW)), [], 'at the old end (1100) the long job waits');
  pol.expiration?.(s.running.id, 3000);
  assert.equal(ids(pol.schedule(s.p.clone(), NOW)), [s.long.id]);
  // and at 1020: even the short one (ends 1050) would delay it
  const pol2 = make(Backfill);
  const s2 = scenario(pol2);
  pol2.expiration?.(s2.running.id, 1020);
  assert.equal(ids(pol2.schedule(s2.p.clone(), NOW)), []);
});

test('backfill: the head starts once both nodes are free', () => {
  const pol = make(Backfill);
  const s = scenario(pol);
  const p = s.p;
  const first = pol.schedule(p.clone(), NOW);
  const shortR = allocR(first[0]);
  p.take(shortR);
  // the long-running job ends: node 0 free, node 1 still held by the short job
  pol.free(s.running.id);
  p.give(pool(1, 2).match({ nslots: 2, exclusive: false, coresPerSlot: 1, gpusPerSlot: 0, duration: 0 })!);
  assert.equal(ids(pol.schedule(p.clone(), NOW + 10)), []);
  pol.free(s.short.id);
  p.give(shortR);
  assert.equal(ids(pol.schedule(p.clone(), NOW + 60)), [s.head.id]);
});

test('backfill: jobs that fit without delaying the head run even if they end later', () => {
  // 3 nodes; node 0 busy until 1100; head needs 2 exclusive nodes -> reserved on nodes 0,1 at 1100
  const pol = make(Backfill);
  const p = pool(3, 2);
  const busy = job({ N: 2, t: 100 });
  pol.enqueue(busy);
  for (const d of pol.schedule(p.clone(), NOW)) if (d.type === 'alloc') p.take(d.R);
  const head = job({ N: 3 });
  const long = job({ n: 2, t: 5000 });
  pol.enqueue(head);
  pol.enqueue(long);
  // long job on node 2 would delay a 3-node head: it must wait
  assert.equal(ids(pol.schedule(p.clone(), NOW)), []);
});

test('priority orders the queue; cancel removes', () => {
  for (const P of [Fcfs, Backfill]) {
    const pol = make(P);
    const a = job({ n: 1 });
    const b = job({ n: 1 }, { priority: 20 });
    pol.enqueue(a);
    pol.enqueue(b);
    assert.equal(
      pol.queue().map((j) => j.id),
      [b.id, a.id],
    );
    assert.ok(pol.cancel(a.id));
    assert.not.ok(pol.cancel(a.id));
    assert.equal(ids(pol.schedule(pool(1, 1).clone(), NOW)), [b.id]);
  }
});

test('select option', () => {
  const pol = make(Fcfs, { select: 'high' });
  const a = job({ N: 1 });
  pol.enqueue(a);
  const ds = pol.schedule(pool(3, 2), NOW);
  assert.equal(ranksOf(allocR(ds[0])), [2]);
  assert.throws(() => make(Fcfs, { select: 'middle' }), /select must be low or high/);
});

test.run();
