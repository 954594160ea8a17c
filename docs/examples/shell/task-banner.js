// task-banner: an example job-shell plugin for flux-ts, loaded by path:
//
//   flux run -n2 -o plugin=docs/examples/shell/task-banner.js printenv TASK_BANNER
//
// task.init gives each task TASK_BANNER="task RANK of SIZE on HOST"; task.exit
// counts the tasks that failed; shell.exit logs one line per shell, which the
// user sees on stderr: `flux-shell[0]: task-banner: 2 tasks, 0 failed`.
// docs/guide/writing-a-shell-plugin.md explains each part.
'use strict';

const { defineShellPlugin } = require('flux-ts/shell-plugin');

module.exports = defineShellPlugin({
  name: 'task-banner',
  // once per job on each rank's shell: return this job's callbacks
  shell(ctx) {
    let tasks = 0;
    let failed = 0;
    return {
      'task.init'(task) {
        tasks++;
        task.env.TASK_BANNER = `task ${task.rank} of ${ctx.size} on ${ctx.hostname}`;
      },
      'task.exit'(task) {
        if (task.status !== 0) failed++;
      },
      'shell.exit'() {
        ctx.log(5, `task-banner: ${tasks} tasks, ${failed} failed`);
      },
    };
  },
});
