/**
 * pty: shell option `pty` (`-o pty` for every task, `-o pty.ranks=IDSET|all`,
 * `-o pty.interactive` for `flux alloc` and `flux run -o pty.interactive`).
 * task.init gives each chosen task the host's terminal launcher: it runs on a
 * new pseudo-terminal whose output is its stdout, its window sized by the
 * attached client.
 */
import { idset } from '../../../kernel/api';
import { defineShellPlugin, spawnPty } from '../../../modules/job-exec/plugin-api';
import { ptyRanks } from './ranks';

export default defineShellPlugin({
  name: 'pty',
  shell(ctx) {
    const ranks = ptyRanks(ctx.options['pty'], ctx.size, (x) => idset.decode(x));
    if (!ranks) return undefined;
    return {
      'task.init'(t) {
        if (ranks.has(t.rank)) t.launch = spawnPty;
      },
    };
  },
});
