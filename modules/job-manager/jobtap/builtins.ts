/** The plugins built into the job manager, in load order (`flux jobtap list -a`). */
import { defineJobtapPlugin, urgencyPriority, type JobtapPlugin } from '../plugin-api';
import { beginTime, dependencyAfter } from './builtin-depend';
import { dependencySingleton } from './builtin-singleton';

/** `.priority-default`: the urgency is the priority (0 holds, 31 expedites); a site's priority plugin loaded later wins. */
export const priorityDefault = defineJobtapPlugin({
  name: '.priority-default',
  description: 'priority = urgency (hold 0, expedite 31 = max)',
  create: () => ({ 'job.priority.get': (job) => urgencyPriority(job.urgency) }),
});

export const BUILTINS: readonly JobtapPlugin[] = [priorityDefault, dependencyAfter, dependencySingleton, beginTime];
