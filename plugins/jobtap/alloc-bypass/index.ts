/**
 * alloc-bypass.so (Flux's plugin of that name): a job of the instance owner
 * whose jobspec has attributes.system.alloc-bypass.R runs on that R without
 * asking the scheduler: it is checked at submit (a guest's job, or an R that
 * is not R version 1, is refused), and when the job enters SCHED the job
 * manager stores R, posts `alloc {bypass: true}` and starts it; its `free`
 * does not go to the scheduler either. The scheduler does not know those
 * resources are used: they may be given to another job too (alloc-check.so
 * catches that).
 */
import { rv1Check } from '../../../lib/formats';
import { OWNER_UID } from '../../../lib/owner-uid';
import { defineJobtapPlugin } from '../../../modules/job-manager/plugin-api';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** attributes.system.alloc-bypass of a jobspec (undefined: none) */
function bypassOf(jobspec: unknown): unknown {
  const sys = isObj(jobspec) && isObj(jobspec['attributes']) ? jobspec['attributes']['system'] : undefined;
  return isObj(sys) ? sys['alloc-bypass'] : undefined;
}

export default defineJobtapPlugin({
  name: 'alloc-bypass.so',
  description: "run an owner's job on the R it gives (attributes.system.alloc-bypass.R), without the scheduler",
  create(ctx) {
    /** id -> the R its job runs on (checked at submit) */
    const given = new Map<number, Obj>();
    return {
      'job.validate': (job, args) => {
        const b = bypassOf(args['jobspec']);
        if (b === undefined) return undefined;
        if (!isObj(b)) return 'invalid system.alloc-bypass.R: alloc-bypass must be an object';
        if (b['R'] === undefined) return undefined;
        if (args['userid'] !== OWNER_UID) return 'Guest user cannot use alloc bypass';
        try {
          rv1Check(b['R']);
        } catch (e) {
          return `alloc-bypass: invalid R: ${(e as Error).message}`;
        }
        given.set(job.id, b['R'] as Obj);
        return undefined;
      },
      'job.state.sched': (job) => {
        const R = given.get(job.id);
        if (R) ctx.allocBypass(job.id, R);
      },
      'job.state.inactive': (job) => void given.delete(job.id),
      'job.destroy': (job) => void given.delete(job.id),
    };
  },
});
