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

/** newest first; the same second: the larger id first */
const newestFirst = (a: Entry, b: Entry) => b.t_submit - a.t_submit || b.id - a.id;

export const history = defineJobtapPlugin({
  name: '.history',
  description: "each user's jobs, newest first (flux job last)",
  create(ctx) {
    const users = new Map<number, Entry[]>();
    const ids = new Set<number>();
    const add = (job: JobView) => {
      if (ids.has(job.id)) return;
      ids.add(job.id);
      const list = users.get(job.userid) ?? [];
      const e = { id: job.id, t_submit: job.t_submit };
      // submissions come in order: the new one goes first, without a sort
      if (list.length === 0 || newestFirst(e, list[0]!) <= 0) list.unshift(e);
      else {
        list.push(e);
        list.sort(newestFirst);
      }
      users.set(job.userid, list);
    };
    const remove = (job: JobView) => {
      if (!ids.delete(job.id)) return;
      const list = users.get(job.userid) ?? [];
      const i = list.findIndex((e) => e.id === job.id);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) users.delete(job.userid);
    };
    ctx.serve('get', (p, cred) => {
      const slice = p['slice'];
      const list = (users.get(cred.userid) ?? []).map((e) => e.id);
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
