/**
 * doom: shell options `exit-timeout` and `exit-on-error` (doom.ts): what
 * happens when a job's first task exits while others still run. Leader side:
 * task.exit hears the first exit and the first failure of a job of several
 * tasks; shell.exit disarms the timer.
 */
import { defineShellPlugin } from '../../../modules/job-exec/plugin-api';
import { Doom } from './doom';

export default defineShellPlugin({
  name: 'doom',
  leader(ctx) {
    const doom = new Doom(ctx.options, (note) => ctx.raise(note));
    return {
      'task.exit': (t) => doom.taskExit(t.rank, t.host, t.status),
      'shell.exit': () => doom.stop(),
    };
  },
});
