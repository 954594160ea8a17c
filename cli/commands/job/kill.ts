/** flux job kill [-s SIG] ID...: send a signal (default SIGTERM) to running jobs. */
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import { parseSignal } from './signals';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobKillCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'kill'],
    grammar: 'getopt',
    prog: 'flux-job kill',
    summary: 'Send signal to one or more running jobs',
    docLine: true,
    usage: '[OPTIONS] ids...',
    options: [{ name: 'signal', short: 's', arg: 'SIG', default: 'SIGTERM', description: 'Send signal SIG (default SIGTERM)' }],
    operands: [{ name: 'ids', nargs: '+' }],
  };

  private get signal(): string {
    return this.args.str('signal', 'SIGTERM');
  }
  private get ids(): string[] {
    return this.args.operands;
  }

  async run(): Promise<number> {
    const signum = parseSignal(this.signal);
    if (signum === undefined) this.fail(`kill: Invalid signal ${this.signal}`);
    const parsed: Array<[string, number]> = [];
    for (const typed of this.ids) {
      const id = this.jobId(typed);
      parsed.push([typed, id]);
    }
    const h = await this.connect();
    let rc = 0;
    for (const [typed, id] of parsed) {
      try {
        await jobManager.call(h, 'kill', { id, signum });
      } catch (e) {
        process.stderr.write(`flux-job: kill ${typed}: ${(e as FluxError).message}\n`);
        rc = 1;
      }
    }
    return rc;
  }
}
