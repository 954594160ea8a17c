/** release-after without a broker: which ranks a job's housekeeping frees, and when (ReleasePlan), and the drain reason. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rv1Build, rv1Ranks, type Rv1 } from '../../../kernel/api';
import { ReleasePlan } from '../../../modules/job-manager/housekeeping/release';
import { drainReason } from '../../../modules/job-manager/housekeeping/housekeeping';
import { waitUntil } from '../../helpers/wait';

const R = rv1Build([0, 1, 2].map((rank) => ({ rank, hostname: `n${rank}`, cores: [0, 1], gpus: [] })), { expiration: 100 });

function plan(after: number): { p: ReleasePlan; frees: Array<[string, boolean, string[]]> } {
  const frees: Array<[string, boolean, string[]]> = [];
  const p = new ReleasePlan(R, after, (r: Rv1, final) => frees.push([rv1Ranks(r), final, r.execution.nodelist]));
  return { p, frees };
}

test('unset: all ranks together when the last ends', () => {
  const { p, frees } = plan(-1);
  p.done(2);
  p.done(0);
  assert.equal(frees, []);
  assert.is(p.allocatedRanks(), '0-2');
  p.done(1);
  assert.equal(frees, [['0-2', true, ['n[0-2]']]]);
  assert.is(p.allocatedRanks(), '');
});

test('"0": each rank as it ends, the last one final; a rank twice counts once', () => {
  const { p, frees } = plan(0);
  p.done(1);
  p.done(1);
  p.done(0);
  assert.is(p.allocatedRanks(), '2');
  assert.is(p.remaining().execution.expiration, 100);
  p.done(2);
  assert.equal(frees, [['1', false, ['n1']], ['0', false, ['n0']], ['2', true, ['n2']]]);
});

test('a duration: the ranks done when the timer fires, then each as it ends', async () => {
  const { p, frees } = plan(0.05);
  p.done(0);
  p.done(2);
  assert.equal(frees, []);
  await waitUntil(() => frees.length === 1, { what: 'the timer' });
  assert.equal(frees, [['0,2', false, ['n[0,2]']]]);
  p.done(1);
  assert.equal(frees[1], ['1', true, ['n1']]);
  p.close();
});

test('drain reasons as the flux-housekeeping@ unit gives them', () => {
  const id = 1 << 24;
  assert.match(drainReason(id, 3 << 8), /^housekeeping@f\w+ exit-code: exited 3$/);
  assert.match(drainReason(id, 9), /^housekeeping@f\w+ signal: killed KILL$/);
  assert.match(drainReason(id, undefined, 'no such file'), /^housekeeping@f\w+ failure$/);
});

test.run();
