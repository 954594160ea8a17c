/**
 * The fewest tasks some node must run for a jobspec (modules/job-ingest/
 * task-count.ts), judged without a loop over the tasks, and the bound they
 * are held to (lib/task-fds.ts: (ulimit -n - 128) / 12).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { leastTasksPerNode } from '../../../modules/job-ingest/task-count';
import { maxTasksPerNode } from '../../../lib/task-fds';

const slot = (count: number) => ({ type: 'slot', count, label: 'task', with: [{ type: 'core', count: 1 }] });
const js = (resources: unknown[], count: Record<string, number>) => ({ version: 1, resources, tasks: [{ command: ['true'], slot: 'task', count }] });

test('nodes: slots per node times per_slot', () => {
  assert.is(leastTasksPerNode(js([{ type: 'node', count: 2, with: [slot(3)] }], { per_slot: 4 }), 8), 12);
});

test('slots alone: spread over the instance at best', () => {
  assert.is(leastTasksPerNode(js([slot(10)], { per_slot: 2 }), 4), 6);
  assert.is(leastTasksPerNode(js([slot(1)], { per_slot: 1_000_000 }), 1), 1_000_000);
});

test('total: over the nodes, or the slots on as many nodes', () => {
  assert.is(leastTasksPerNode(js([{ type: 'node', count: 2, with: [slot(1)] }], { total: 9 }), 8), 5);
  assert.is(leastTasksPerNode(js([slot(1)], { total: 45 }), 8), 45);
  assert.is(leastTasksPerNode(js([slot(4)], { total: 8000 }), 2), 4000);
});

test('the bound: (limit - 128) / 12, at least 1', () => {
  assert.is(maxTasksPerNode(512), 32);
  assert.is(maxTasksPerNode(20000), 1656);
  assert.is(maxTasksPerNode(64), 1);
  assert.is(maxTasksPerNode(null), undefined);
});

test.run();
