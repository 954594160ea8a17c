/** flux job status ID...: wait for jobs to finish; exit with the largest exit code. */
import { JobCommand } from '../../jobspec/job-command';
import { encodeF58 } from '../../../lib/formats';
import type { FluxError } from '../../../lib/errors';
import { exitCode, type JobRecord } from '../../jobspec';
import type { CommandSpec } from '../../options';

export class JobStatusCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'status'],
    grammar: 'getopt',
    prog: 'flux-job status',
    summary: 'Wait for job(s) to complete and exit with largest exit code',
    docLine: true,
    usage: '[OPTIONS] id [id...]',
    options: [
      {
        name: 'exception-exit-code',
        short: 'e',
        arg: 'N',
        default: '1',
        description: 'Set the default exit code for any jobs that terminate solely due to an exception (e.g. canceled jobs or jobs rejected by the scheduler) to N [default=1]',
      },
      { name: 'json', short: 'j', description: 'Dump job result information gleaned from eventlog to stdout' },
      { name: 'verbose', short: 'v', description: 'Increase verbosity of output' },
    ],
    operands: [{ name: 'id', nargs: '+' }],
  };

  private get exc(): string {
    return this.args.str('exception-exit-code', '1');
  }
  private get json(): boolean {
    return this.args.has('json');
  }
  private get verbose(): number {
    return this.args.count('verbose');
  }
  private get ids(): string[] {
    return this.args.operands;
  }

  async run(): Promise<number> {
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
