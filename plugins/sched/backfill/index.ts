/**
 * backfill: EASY backfilling. Jobs start in queue order while they fit. The
 * first job that does not fit gets a reservation: the earliest time it would
 * fit if running jobs end at their expected ends (start + duration). A later
 * job may start now if it fits and does not delay that reservation: it ends
 * before the reserved start, or it leaves enough for the head job then.
 * Jobs without a duration run "forever" for this estimate.
 */
import {
  PolicyBase,
  definePolicy,
  type Decision,
  type PendingJob,
  type ResourcePool,
  expectedEnd,
} from '../../../modules/sched/plugin-api';

export class Backfill extends PolicyBase {
  readonly name = 'backfill';

  /** When and in what state of the pool the head job could start; undefined = never known. */
  private reserve(pool: ResourcePool, head: PendingJob): { at: number; pool: ResourcePool } | undefined {
    const sim = pool.clone();
    const ends = [...this.running.values()].sort((a, b) => a.end - b.end);
    for (const j of ends) {
      if (j.end === Infinity) break;
      sim.give(j.R);
      if (sim.match(head.request, this.order)) return { at: j.end, pool: sim };
    }
    return undefined;
  }

  schedule(pool: ResourcePool, now: number): Decision[] {
    const out: Decision[] = [];
    let shadow: { at: number; pool: ResourcePool } | undefined;
    let blocked = false;
    for (const job of [...this.pending]) {
      const R = pool.match(job.request, this.order);
      if (!blocked) {
        if (R) {
          out.push(this.started(job, R, pool, now));
          continue;
        }
        blocked = true;
        shadow = this.reserve(pool, job);
        this.head = job;
        continue;
      }
      if (!R) continue;
      const end = expectedEnd(now, job.request.duration);
      if (shadow === undefined) {
        // no known start for the head job: EASY lets anything that fits run
        out.push(this.started(job, R, pool, now));
        continue;
      }
      if (end <= shadow.at) {
        out.push(this.started(job, R, pool, now));
        continue;
      }
      // would the head job still fit at its reserved start with this job running too?
      shadow.pool.take(R);
      if (this.head && shadow.pool.match(this.head.request, this.order)) out.push(this.started(job, R, pool, now));
      else shadow.pool.give(R);
    }
    return out;
  }

  private head: PendingJob | undefined;
}

export default definePolicy({
  name: 'backfill',
  description: 'EASY backfill: smaller jobs run ahead if they do not delay the first waiting job',
  create: (opts) => new Backfill(opts),
});
