/** The plugins built into the job manager, in load order (`flux jobtap list -a`). */
import { defineJobtapPlugin, urgencyPriority, type JobtapPlugin } from '../plugin-api';
import { beginTime, dependencyAfter } from './builtin-depend';
import { dependencySingleton } from './builtin-singleton';
import { history } from './builtin-history';
import { postEventPlugin } from './builtin-post-event';

/** `.priority-default`: the urgency is the priority (0 holds, 31 expedites); a site's priority plugin loaded later wins. */
export const priorityDefault = defineJobtapPlugin({
  name: '.priority-default',
  description: 'priority = urgency (hold 0, expedite 31 = max)',
  create: () => ({ 'job.priority.get': (job) => urgencyPriority(job.urgency) }),
});

/** Flux's order (its .limit-*, .validate-duration, .update-duration and .update-queue are job-manager code here: queues.ts, update.ts) */
export const BUILTINS: readonly JobtapPlugin[] = [priorityDefault, dependencyAfter, dependencySingleton, beginTime, history, postEventPlugin];
