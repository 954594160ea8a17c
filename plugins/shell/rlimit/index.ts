/**
 * rlimit: shell option `rlimit` (limits.ts). shell.init plans the limits (a
 * bad entry fails the shell; a value over the hard limit is lowered, with a
 * warning); task.init gives them to each task (flux-task sets them before the
 * task runs).
 */
import { defineShellPlugin, ShellError } from '../../../modules/job-exec/plugin-api';
import { planRlimits, type RlimitPlan } from './limits';

export default defineShellPlugin({
  name: 'rlimit',
  shell(ctx) {
    if (ctx.options['rlimit'] === undefined) return undefined;
    let plan: RlimitPlan = { rules: [], warnings: [] };
    return {
      'shell.init'() {
        try {
          plan = planRlimits(ctx.options['rlimit']);
        } catch (e) {
          throw new ShellError((e as Error).message);
        }
        for (const w of plan.warnings) ctx.log(4, w);
      },
      'task.init'(t) {
        t.rlimits.push(...plan.rules);
      },
    };
  },
});
