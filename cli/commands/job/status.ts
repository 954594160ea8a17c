/**
 * flux job status ID...: wait for jobs to finish; exit with the largest exit
 * code, as Flux's: a job shell's status as a shell gives it (128+N for a
 * signal), and -e N (default 1) for a job with a fatal exception when that is
 * larger. -v says on stderr why each job that did not exit 0 ended (-vv: each
 * job), and with several jobs when it starts and ends waiting.
 */
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import type { JobRecord } from '../../jobspec';
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
    const say = (line: string) => process.stderr.write(`flux-job: ${line}\n`);
    if (this.verbose > 0 && parsed.length > 1) say(`fetching status for ${parsed.length} jobs`);
    const jobs: JobRecord[] = [];
    for (const [typed, id] of parsed) {
      try {
        jobs.push(await h.rpc<JobRecord>('job-manager.wait-inactive', { id }));
      } catch (e) {
        if ((e as FluxError).errno === 2) this.fail(`${typed}: No such job`);
        throw e;
      }
    }
    if (this.verbose > 0 && parsed.length > 1) say('all done.');
    let rc = 0;
    jobs.forEach((j, i) => {
      const typed = parsed[i]![0];
      const status = j.waitstatus ?? -1;
      const signaled = status >= 0 && (status & 0x7f) !== 0;
      const code = status < 0 ? 0 : signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
      const fatal = j.exception_occurred === true && (j.exception_severity ?? 0) === 0;
      rc = Math.max(rc, code, fatal ? excCode : 0);
      if (this.json) process.stdout.write(JSON.stringify(j) + '\n');
      if (this.verbose === 0) return;
      if (signaled) say(`${typed}: job shell died by signal ${status & 0x7f}`);
      else if (this.verbose > 1 || code !== 0) say(fatal ? `${typed}: exception type=${j.exception_type ?? ''}` : `${typed}: exited with exit code ${code}`);
    });
    return rc;
  }
}
