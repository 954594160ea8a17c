/**
 * affinity: shell options `cpu-affinity` and `gpu-affinity` (sets.ts says what
 * each value means). shell.init plans the CPUs and GPUs of this shell's tasks
 * (a bad map fails the shell with its line); task.init gives each task its CPUs
 * (the host binds them before the task runs) and CUDA_VISIBLE_DEVICES.
 */
import { idset } from '../../../kernel/api';
import { defineShellPlugin, ShellError } from '../../../modules/job-exec/plugin-api';
import { taskCpuSets, taskGpuSets } from './sets';

export default defineShellPlugin({
  name: 'affinity',
  shell(ctx) {
    let cpus: Array<number[] | undefined> = [];
    let gpus: Array<string | undefined> = [];
    return {
      'shell.init'() {
        try {
          cpus = taskCpuSets(ctx.options['cpu-affinity'], ctx.placement.cores, ctx.placement.count);
          gpus = taskGpuSets(ctx.options['gpu-affinity'], ctx.placement.gpus, ctx.placement.count);
        } catch (e) {
          throw new ShellError((e as Error).message);
        }
      },
      'task.init'(t) {
        const c = cpus[t.local];
        const g = gpus[t.local];
        if (g !== undefined) t.env['CUDA_VISIBLE_DEVICES'] = g;
        if (c) {
          t.cpus = c;
          ctx.log(6, `cpu-affinity: task ${t.rank} bound to cpus ${idset.encode(c)}`);
        }
        if (g !== undefined) ctx.log(6, `gpu-affinity: task ${t.rank} CUDA_VISIBLE_DEVICES=${g}`);
      },
    };
  },
});
