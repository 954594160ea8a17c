/** flux job cancel ID... [--] [MESSAGE...]: legacy alias of flux cancel (raises a cancel exception). */
import { FluxCommand } from '../../base-command';
import { encodeF58 } from '../../../lib/formats';
import type { FluxError } from '../../../lib/errors';
import { parseIdArg } from '../../jobspec';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobCancelCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'cancel'],
    grammar: 'getopt',
    prog: 'flux-job cancel',
    summary: 'Cancel one or more jobs',
    docLine: true,
    usage: '[OPTIONS] ids... [--] [message ...]',
    options: [],
    operands: [
      { name: 'ids', nargs: '+' },
      { name: 'message', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const ids: number[] = [];
    let i = 0;
    for (; i < this.args.operands.length; i++) {
      const a = this.args.operands[i]!;
      if (a === '--') {
        i++;
        break;
      }
      const id = parseIdArg(a);
      if (id === undefined) break;
      ids.push(id);
    }
    if (ids.length === 0) this.usage();
    const note = this.args.operands.slice(i).join(' ');
    const h = await this.connect();
    let rc = 0;
    for (const id of ids) {
      try {
        await jobManager.call(h, 'raise', { id, type: 'cancel', severity: 0, note });
      } catch (e) {
        process.stderr.write(`flux-job: cancel ${encodeF58(id)}: ${(e as FluxError).message}\n`);
        rc = 1;
      }
    }
    return rc;
  }
}
