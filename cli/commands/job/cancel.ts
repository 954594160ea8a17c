/** flux job cancel ID... [--] [MESSAGE...]: legacy alias of flux cancel (raises a cancel exception). */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { encodeF58 } from '../../../kernel/api/formats';
import type { FluxError } from '../../../kernel/api/errors';
import { parseIdArg } from '../../jobspec';

export const JOB_CANCEL_USAGE = `Usage: flux-job cancel [OPTIONS] ids... [--] [message ...]
Cancel one or more jobs
  -h, --help             Display this message.`;

export class JobCancelCommand extends FluxCommand {
  static override paths = [['job', 'cancel']];
  static override prog = 'flux-job';
  static override usageLine = JOB_CANCEL_USAGE;
  static override usage = Command.Usage({ description: 'Cancel one or more jobs' });
  args = Option.Rest();

  async run(): Promise<number> {
    const ids: number[] = [];
    let i = 0;
    for (; i < this.args.length; i++) {
      const a = this.args[i]!;
      if (a === '--') {
        i++;
        break;
      }
      const id = parseIdArg(a);
      if (id === undefined) break;
      ids.push(id);
    }
    if (ids.length === 0) throw new CommandExit(1, JOB_CANCEL_USAGE);
    const note = this.args.slice(i).join(' ');
    const h = await this.connect();
    let rc = 0;
    for (const id of ids) {
      try {
        await h.rpc('job-manager.raise', { id, type: 'cancel', severity: 0, note });
      } catch (e) {
        process.stderr.write(`flux-job: cancel ${encodeF58(id)}: ${(e as FluxError).message}\n`);
        rc = 1;
      }
    }
    return rc;
  }
}
