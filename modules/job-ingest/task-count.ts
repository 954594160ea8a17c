/**
 * The fewest tasks some node of this instance must run for a (valid)
 * jobspec, whatever the scheduler picks: with N nodes, S slots per node and
 * per_slot P, S*P; S slots without nodes are spread at best over the
 * instance's `size` nodes; {total: T} over the job's nodes (or as many of the
 * instance's as it has slots).
 * O(1): a count of a million is judged without a loop over its tasks.
 */
import { tooManyTasks } from '../../lib/task-fds';

type Obj = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : 1);

export function leastTasksPerNode(js: Obj, instanceSize: number): number {
  const top = (js['resources'] as Obj[])[0]!;
  const nodes = top['type'] === 'node' ? num(top['count']) : 0;
  const slot = nodes > 0 ? (top['with'] as Obj[])[0]! : top;
  const slots = num(slot['count']);
  const count = ((js['tasks'] as Obj[])[0]!['count'] ?? {}) as Obj;
  if (typeof count['total'] === 'number') {
    const over = nodes > 0 ? nodes : Math.max(1, Math.min(instanceSize, slots));
    return Math.ceil(count['total'] / over);
  }
  const perSlot = num(count['per_slot']);
  // slots without nodes: spread at best over the instance's nodes
  return (nodes > 0 ? slots : Math.ceil(slots / Math.max(1, instanceSize))) * perSlot;
}

/** The one-line refusal of a job with more tasks on a node than the broker can start, if it has. */
export function taskCountRefusal(js: Obj, instanceSize: number): string | undefined {
  return tooManyTasks(leastTasksPerNode(js, instanceSize), 'on a node');
}
