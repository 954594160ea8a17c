/** flux job status ID...: wait for jobs to finish; exit with the largest exit code. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { encodeF58 } from '../../../kernel/api/formats';
import type { FluxError } from '../../../kernel/api/errors';
import { exitCode, type JobRecord } from '../../jobspec';

export const STATUS_USAGE = `Usage: flux-job status [OPTIONS] id [id...]
Wait for job(s) to complete and exit with largest exit code
  -h, --help             Display this message.
  -e, --exception-exit-code=N
                         Set the default exit code for any jobs that terminate
                         solely due to an exception (e.g. canceled jobs or jobs
                         rejected by the scheduler) to N [default=1]
  -j, --json             Dump job result information gleaned from eventlog to
                         stdout
  -v, --verbose          Increase verbosity of output`;

export class JobStatusCommand extends JobCommand {
  static override paths = [['job', 'status']];
  static override usageLine = STATUS_USAGE;
  static override usage = Command.Usage({ description: 'Wait for job(s) to complete and exit with largest exit code' });
  exc = Option.String('-e,--exception-exit-code', '1');
  json = Option.Boolean('-j,--json', false);
  verbose = Option.Counter('-v,--verbose', 0);
  ids = Option.Rest();

  async run(): Promise<number> {
    if (this.ids.length === 0) throw new CommandExit(1, STATUS_USAGE);
    const excCode = Number(this.exc);
    if (!/^\d+$/.test(this.exc)) this.fail(`invalid exception exit code '${this.exc}'`);
    const parsed: Array<[string, number]> = [];
    for (const typed of this.ids) {
      const id = this.jobId(typed);
      parsed.push([typed, id]);
    }
    const h = await this.connect();
    let rc = 0;
    for (const [typed, id] of parsed) {
      let j: JobRecord;
      try {
        j = await h.rpc<JobRecord>('job-manager.wait-inactive', { id });
      } catch (e) {
        if ((e as FluxError).errno === 2) this.fail(`${typed}: No such job`);
        throw e;
      }
      let code = exitCode(j);
      if (j.exception_occurred && j.waitstatus === undefined) code = excCode;
      if (this.json) process.stdout.write(JSON.stringify(j) + '\n');
      if (this.verbose > 0) process.stderr.write(`${encodeF58(id)}: exit code ${code}\n`);
      rc = Math.max(rc, code);
    }
    return rc;
  }
}
