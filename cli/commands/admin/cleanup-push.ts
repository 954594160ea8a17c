/**
 * flux admin cleanup-push [COMMAND...]: a command for rank 0 to run when the
 * instance's initial program has ended, before the running jobs are
 * canceled and the brokers go (the CLEANUP state), as Flux's. Without a
 * command line, one command per line of standard input, in that order. A
 * later push runs before an earlier one.
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { FluxError } from '../../../lib/errors';
import { readAtMost } from '../../read-stream';

/** more than a batch script's worth of cleanup is a mistake, not a plan */
const MAX_STDIN = 1 << 20;

export class AdminCleanupPushCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['admin', 'cleanup-push'],
    grammar: 'argparse',
    prog: 'flux-admin cleanup-push',
    errorName: 'flux-admin',
    summary: 'Add a command to run after the initial program, before rc3 (standard input: one per line)',
    options: [],
    operands: [{ name: 'cmdline', nargs: '...', description: 'Command line' }],
  };

  async run(): Promise<number> {
    const words = this.args.operands;
    const commands = words.length > 0 ? [words.join(' ')] : await this.lines();
    if (commands.length === 0) return 0;
    const h = await this.connect();
    try {
      await h.rpc('runat.push', { name: 'cleanup', commands }, { nodeid: 0 });
    } catch (e) {
      this.fail((e as FluxError).message);
    }
    return 0;
  }

  /** standard input's non-blank lines, trimmed */
  private async lines(): Promise<string[]> {
    const data = await readAtMost(process.stdin, MAX_STDIN);
    if (data === undefined) this.fail(`standard input: more than ${MAX_STDIN} bytes of commands`);
    return data
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }
}
