/** flux job wait [-a] [-v] [ID]: wait for waitable jobs (submitted with --flags=waitable). */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { encodeF58 } from '../../../kernel/api/formats';
import type { FluxError } from '../../../kernel/api/errors';

export const WAIT_USAGE = `Usage: flux-job wait [OPTIONS] [id]
Wait for job(s) to complete.
  -h, --help             Display this message.
  -a, --all              Wait for all (waitable) jobs
  -v, --verbose          Emit a line of output for all jobs, not just failing
                         ones`;

interface WaitResult {
  id: number;
  success: boolean;
  errstr: string;
}

const ECHILD = 10;

export class JobWaitCommand extends JobCommand {
  static override paths = [['job', 'wait']];
  static override usageLine = WAIT_USAGE;
  static override usage = Command.Usage({ description: 'Wait for job(s) to complete.' });
  all = Option.Boolean('-a,--all', false);
  verbose = Option.Boolean('-v,--verbose', false);
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length > 1 || (this.all && this.args.length > 0)) throw new CommandExit(1, WAIT_USAGE);
    const h = await this.connect();
    if (this.all) {
      let rc = 0;
      for (;;) {
        let r: WaitResult;
        try {
          r = await h.rpc<WaitResult>('job-manager.wait', {});
        } catch (e) {
          if ((e as FluxError).errno === ECHILD) return rc;
          throw e;
        }
        if (!r.success) {
          rc = 1;
          process.stderr.write(`flux-job: ${encodeF58(r.id)}: ${r.errstr}\n`);
        } else if (this.verbose) process.stderr.write(`flux-job: ${encodeF58(r.id)}: job completed successfully\n`);
      }
    }
    let id: number | undefined;
    if (this.args.length === 1) {
      id = this.jobId(this.args[0]!);
    }
    let r: WaitResult;
    try {
      r = await h.rpc<WaitResult>('job-manager.wait', id === undefined ? {} : { id });
    } catch (e) {
      const fe = e as FluxError;
      if (fe.errno === ECHILD) throw new CommandExit(2, `flux-job: ${fe.message}`);
      throw e;
    }
    if (id === undefined) process.stdout.write(encodeF58(r.id) + '\n');
    if (!r.success) {
      process.stderr.write(`flux-job: ${id === undefined ? '' : ''}${r.errstr}\n`);
      return 1;
    }
    if (this.verbose) process.stderr.write(`flux-job: ${encodeF58(r.id)}: job completed successfully\n`);
    return 0;
  }
}
