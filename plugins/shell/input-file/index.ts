/**
 * input-file: task stdin from a file (`flux run --input=FILE`, shell option
 * `input.stdin.type=file` with `input.stdin.path`), relative to the job cwd.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineShellPlugin } from '../../../modules/job-exec/plugin-api';

export default defineShellPlugin({
  name: 'input-file',
  shell(ctx) {
    const i = ctx.options.input?.stdin;
    if (!i || !i.path || (i.type !== undefined && i.type !== 'file')) return undefined;
    const file = path.resolve(ctx.cwd, i.path);
    return {
      stdinFd: () => {
        try {
          return fs.openSync(file, 'r');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message;
          throw new Error(`error opening input file '${i.path}': ${why}`, { cause: e });
        }
      },
    };
  },
});
