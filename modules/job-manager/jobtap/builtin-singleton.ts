/**
 * `.dependency-singleton`: `--dependency=singleton` holds a job while another
 * active job of the same user has the same job name; when such a job goes
 * inactive, the oldest held one is released (one at a time, so at most one
 * job of that user and name is past DEPEND because of this dependency).
 */
import { einval } from '../../../kernel/api';
import { defineJobtapPlugin, type JobView } from '../plugin-api';

const DESCRIPTION = 'singleton';
const keyOf = (j: JobView) => `${j.userid}\u0000${j.name}`;

export const dependencySingleton = defineJobtapPlugin({
  name: '.dependency-singleton',
  description: 'singleton dependency: one active job per user and job name',
  create(ctx) {
    /** key -> held job ids, oldest first */
    const held = new Map<string, number[]>();
    const isHeld = (id: number, key: string) => (held.get(key) ?? []).includes(id);
    /** another active job with this key that is not held here */
    const blocked = (key: string, self: number): boolean => {
      for (const j of ctx.activeJobs()) if (j.id !== self && j.state !== 'INACTIVE' && keyOf(j) === key && !isHeld(j.id, key)) return true;
      return false;
    };
    const drop = (id: number, key: string) => {
      const list = (held.get(key) ?? []).filter((x) => x !== id);
      if (list.length > 0) held.set(key, list);
      else held.delete(key);
    };
    const releaseNext = (key: string) => {
      const list = held.get(key);
      if (!list || list.length === 0 || blocked(key, -1)) return;
      const next = list.shift()!;
      if (list.length === 0) held.delete(key);
      ctx.dependencyRemove(next, DESCRIPTION);
    };
    return {
      'job.dependency.singleton': (job, args) => {
        if (args['value'] !== '') throw einval(`dependency: singleton takes no value (got "${String(args['value'])}")`);
        const key = keyOf(job);
        if (!blocked(key, job.id) && !held.has(key)) return;
        ctx.dependencyAdd(job.id, DESCRIPTION);
        held.set(key, [...(held.get(key) ?? []), job.id]);
      },
      'job.state.inactive': (job) => {
        const key = keyOf(job);
        drop(job.id, key);
        releaseNext(key);
      },
      'job.destroy': (job) => drop(job.id, keyOf(job)),
      'plugin.query': () => ({ held: [...held.values()].reduce((n, l) => n + l.length, 0) }),
    };
  },
});
