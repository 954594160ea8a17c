/**
 * fcfs: first-come first-served, first fit. Jobs start in queue order
 * (priority, then submit time); when the head job does not fit, nothing
 * behind it starts (the head blocks). Option select=low|high orders nodes.
 */
import { PolicyBase, definePolicy, type Decision, type ResourcePool } from '../../../modules/sched/plugin-api';

export class Fcfs extends PolicyBase {
  readonly name = 'fcfs';

  schedule(pool: ResourcePool, now: number): Decision[] {
    const out: Decision[] = [];
    // the head each time (started() takes it off the queue): no copy of a queue of
    // thousands for each pass, which starts one job or two in a burst
    for (let job = this.pending[0]; job !== undefined; job = this.pending[0]) {
      const R = pool.match(job.request, this.order);
      if (!R) break;
      out.push(this.started(job, R, pool, now));
    }
    return out;
  }
}

export default definePolicy({
  name: 'fcfs',
  description: 'first-come first-served; the head job blocks the queue',
  create: (opts) => new Fcfs(opts),
});
