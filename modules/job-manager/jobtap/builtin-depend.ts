/**
 * The dependency builtins, as flux-core names them: `.dependency-after`
 * (after/afterstart, afterany, afterok, afternotok, afterexcept on another job
 * of the same user) and `.begin-time` (hold until an epoch time). The
 * bookkeeping is depend.ts (planDependencies, DependencyTracker); these
 * plugins connect it to the job's life through the jobtap context.
 */
import { planDependencies, DependencyTracker, type TargetInfo } from '../depend';
import { defineJobtapPlugin, type JobtapContext, type JobView } from '../plugin-api';

function targetInfo(v: JobView | undefined): TargetInfo | undefined {
  if (!v) return undefined;
  const inactive = v.state === 'INACTIVE';
  return {
    userid: v.userid,
    inactive,
    alloc: v.t_run !== undefined,
    started: v.started,
    completed: inactive && v.result === 'COMPLETED',
    endedByException: v.endedByException,
  };
}

function tracker(ctx: JobtapContext): DependencyTracker {
  return new DependencyTracker({
    lookup: (id) => targetInfo(ctx.job(id)),
    add: (id, d) => ctx.dependencyAdd(id, d),
    remove: (id, d) => ctx.dependencyRemove(id, d),
    raise: (id, note) => {
      const j = ctx.job(id);
      if (j && j.state !== 'INACTIVE') ctx.raise(id, 'dependency', 0, note);
    },
  });
}

export const dependencyAfter = defineJobtapPlugin({
  name: '.dependency-after',
  description: 'after, afterstart, afterany, afterok, afternotok, afterexcept dependencies (RFC 26)',
  create(ctx) {
    const t = tracker(ctx);
    const lookup = (id: number) => targetInfo(ctx.job(id));
    return {
      // N.B. planDependencies refuses a scheme it does not know: `after*` is all of them
      'job.dependency.after*': (job, args) => t.register(job.id, planDependencies([args], job.userid, lookup)),
      'job.event.start': (job) => t.started(job.id),
      'job.state.inactive': (job) => t.inactive(job.id, targetInfo(job)!),
      'job.destroy': (job) => t.forget(job.id),
      'plugin.query': () => ({ waiting: t.size }),
      'plugin.remove': () => t.shutdown(),
    };
  },
});

export const beginTime = defineJobtapPlugin({
  name: '.begin-time',
  description: 'begin-time dependency: hold a job until an epoch time (flux submit --begin-time)',
  create(ctx) {
    const t = tracker(ctx);
    return {
      'job.dependency.begin-time': (job, args) => t.register(job.id, planDependencies([args], job.userid, () => undefined)),
      'job.state.inactive': (job) => t.forget(job.id),
      'job.destroy': (job) => t.forget(job.id),
      'plugin.query': () => ({ waiting: t.size }),
      'plugin.remove': () => t.shutdown(),
    };
  },
});
