/** flux job kill [-s SIG] ID...: send a signal (default SIGTERM) to running jobs. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../kernel/api/errors';
import { parseSignal } from './signals';

export const KILL_USAGE = `Usage: flux-job kill [OPTIONS] ids...
Send signal to one or more running jobs
  -h, --help             Display this message.
  -s, --signal=SIG       Send signal SIG (default SIGTERM)`;

export class JobKillCommand extends JobCommand {
  static override paths = [['job', 'kill']];
  static override usageLine = KILL_USAGE;
  static override usage = Command.Usage({ description: 'Send signal to one or more running jobs' });
  signal = Option.String('-s,--signal', 'SIGTERM');
  ids = Option.Rest();

  async run(): Promise<number> {
    if (this.ids.length === 0) throw new CommandExit(1, KILL_USAGE);
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
        await h.rpc('job-manager.kill', { id, signum });
      } catch (e) {
        process.stderr.write(`flux-job: kill ${typed}: ${(e as FluxError).message}\n`);
        rc = 1;
      }
    }
    return rc;
  }
}
