/** flux job last [N|SLICE]: print your most recent job id(s), newest first (job-manager.history.get, the .history builtin). */
import { FluxCommand } from '../../base-command';
import { encodeF58 } from '../../../lib/formats';
import { pySlice } from '../../../lib/py-slice';
import type { CommandSpec } from '../../options';

export class JobLastCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'last'],
    grammar: 'getopt',
    prog: 'flux-job last',
    summary: 'Print the most recently submitted jobid for the current user',
    docLine: true,
    usage: 'SLICE',
    options: [],
    operands: [{ name: 'SLICE', nargs: '?' }],
  };

  async run(): Promise<number> {
    const arg = this.args.operands[0] ?? '1';
    const slice = /^\d+$/.test(arg) ? `[:${arg}]` : arg;
    if (pySlice([], slice) === undefined) this.usage();
    const h = await this.connect();
    const r = await h.rpc<{ jobs: number[] }>('job-manager.history.get', { slice });
    if (r.jobs.length === 0) this.fail('job history is empty');
    process.stdout.write(r.jobs.map((id) => encodeF58(id) + '\n').join(''));
    return 0;
  }
}
