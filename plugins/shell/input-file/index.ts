/**
 * input-file: task stdin from a file (`flux run --input=FILE`, shell option
 * `input.stdin.type=file` with `input.stdin.path`), relative to the job cwd.
 * The shell opens it (a FIFO without blocking) and copies it to every task.
 */
import * as path from 'node:path';
import { defineShellPlugin } from '../../../modules/job-exec/plugin-api';

export default defineShellPlugin({
  name: 'input-file',
  shell(ctx) {
    const i = ctx.options.input?.stdin;
    if (!i || !i.path || (i.type !== undefined && i.type !== 'file')) return undefined;
    return {
      'shell.init': () => ctx.setStdin(ctx.openInput(path.resolve(ctx.cwd, i.path!), i.path!)),
    };
  },
});
