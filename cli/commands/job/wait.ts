/** flux job wait [-a] [-v] [ID]: wait for waitable jobs (submitted with --flags=waitable). */
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { encodeF58 } from '../../../lib/formats';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';

interface WaitResult {
  id: number;
  success: boolean;
  errstr: string;
}

const ECHILD = 10;
const EINVAL = 22;

export class JobWaitCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'wait'],
    grammar: 'getopt',
    prog: 'flux-job wait',
    summary: 'Wait for job(s) to complete.',
    docLine: true,
    usage: '[OPTIONS] [id]',
    options: [
      { name: 'all', short: 'a', description: 'Wait for all (waitable) jobs' },
      { name: 'verbose', short: 'v', description: 'Emit a line of output for all jobs, not just failing ones' },
    ],
    operands: [{ name: 'id', nargs: '?' }],
  };

  private get all(): boolean {
    return this.args.has('all');
  }
  private get verbose(): boolean {
    return this.args.has('verbose');
  }

  async run(): Promise<number> {
    if (this.all && this.args.operands.length > 0) this.usage();
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
    if (this.args.operands.length === 1) {
      id = this.jobId(this.args.operands[0]!);
    }
    let r: WaitResult;
    try {
      r = await h.rpc<WaitResult>('job-manager.wait', id === undefined ? {} : { id });
    } catch (e) {
      const fe = e as FluxError;
      // not waitable (unknown, reaped, or never submitted waitable): 2, as documented
      if (fe.errno === ECHILD || fe.errno === EINVAL) throw new CommandExit(2, `flux-job: ${fe.message}`);
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
