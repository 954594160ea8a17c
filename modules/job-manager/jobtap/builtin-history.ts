/**
 * `.history`: each user's jobs, newest submission first, for `flux job
 * last` (job-manager.history.get {slice} -> {jobs: [ids]}, the caller's own
 * jobs only). It follows job.new (a submission, and the active jobs read
 * back at a restart), job.inactive-add (the inactive ones) and
 * job.inactive-remove (a purge).
 */
import { einval } from '../../../kernel/api';
import { pySlice } from '../../../lib/py-slice';
import { defineJobtapPlugin, type JobView } from '../plugin-api';

interface Entry {
  id: number;
  t_submit: number;
}

/** a before b: submitted earlier (the same second: the smaller id) */
const older = (a: Entry, b: Entry) => a.t_submit - b.t_submit || a.id - b.id;

/**
 * One user's jobs, oldest first: a submission appends (O(1)); one read back
 * out of order is inserted in place; a purge marks it gone, and the list is
 * compacted once half of it is gone (a purge of many jobs stays linear).
 */
class UserJobs {
  private list: Entry[] = [];
  private readonly gone = new Set<number>();

  add(e: Entry): void {
    const last = this.list[this.list.length - 1];
    if (!last || older(last, e) < 0) {
      this.list.push(e);
      return;
    }
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (older(this.list[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, e);
  }

  remove(id: number): void {
    this.gone.add(id);
    if (this.gone.size * 2 > this.list.length) {
      this.list = this.list.filter((e) => !this.gone.has(e.id));
      this.gone.clear();
    }
  }

  get size(): number {
    return this.list.length - this.gone.size;
  }

  /** ids, newest first */
  newestFirst(): number[] {
    const out: number[] = [];
    for (let i = this.list.length - 1; i >= 0; i--) if (!this.gone.has(this.list[i]!.id)) out.push(this.list[i]!.id);
    return out;
  }
}

export const history = defineJobtapPlugin({
  name: '.history',
  description: "each user's jobs, newest first (flux job last)",
  create(ctx) {
    const users = new Map<number, UserJobs>();
    const ids = new Set<number>();
    const add = (job: JobView) => {
      if (ids.has(job.id)) return;
      ids.add(job.id);
      let u = users.get(job.userid);
      if (!u) users.set(job.userid, (u = new UserJobs()));
      u.add({ id: job.id, t_submit: job.t_submit });
    };
    const remove = (job: JobView) => {
      if (!ids.delete(job.id)) return;
      const u = users.get(job.userid);
      u?.remove(job.id);
      if (u && u.size === 0) users.delete(job.userid);
    };
    ctx.serve('get', (p, cred) => {
      const slice = p['slice'];
      const list = users.get(cred.userid)?.newestFirst() ?? [];
      const sel = typeof slice === 'string' ? pySlice(list, slice) : undefined;
      if (!sel) throw einval('could not parse python-style slice expression');
      return { jobs: sel };
    });
    return {
      'job.new': add,
      'job.inactive-add': add,
      'job.inactive-remove': remove,
    };
  },
});
