/** flux submit: submit one job (or one per --cc/--bcc id) and print its id. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { idset } from '../../kernel/api/formats';
import { COMMON_OPTS, SUBMIT_OPTS, SubmitOptionError, buildSubmission, parseSubmitArgs, pyJson, type ParsedArgs } from '../jobspec';
import { followOpts, submitAll, type Pending } from '../jobspec/submit-jobs';

const USAGE = 'usage: flux submit [OPTIONS...] COMMAND [ARGS...]';

export class SubmitCommand extends FluxCommand {
  static override paths = [['submit']];
  static override prog = 'flux-submit';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Submit a job to a Flux instance' });
  args = Option.Proxy();

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) {
      if (e.usage) throw new CommandExit(2, `${USAGE}\nflux submit: error: ${e.message}`);
      if (e.message === 'per-task input not supported for submit') throw new CommandExit(1, `flux: ERROR: ${e.message}`);
      this.fail(e.message);
    }
    throw e;
  }

  async run(): Promise<number> {
    let first: ParsedArgs;
    try {
      first = parseSubmitArgs(this.args, [...COMMON_OPTS, ...SUBMIT_OPTS]);
    } catch (e) {
      this.optError(e);
    }
    const cc = first.get('cc');
    const bcc = first.get('bcc');
    if (cc && bcc) this.fail('specify only one of --cc or --bcc');
    let ccIds: number[] | undefined;
    const ccOpt = cc ?? bcc;
    if (ccOpt) {
      try {
        ccIds = idset.decode(ccOpt.value);
      } catch (e) {
        this.fail(`${ccOpt.typed}: invalid idset: ${(e as Error).message}`);
      }
      if (ccIds.length === 0) this.fail(`${ccOpt.typed}: empty idset`);
    }
    const jobs: Pending[] = [];
    try {
      for (const i of ccIds ?? [undefined]) {
        const argv = this.args.map((a) => a.split('{cc}').join(i === undefined ? '' : String(i)));
        const p = parseSubmitArgs(argv, [...COMMON_OPTS, ...SUBMIT_OPTS]);
        const env = cc && i !== undefined ? { ...process.env, FLUX_JOB_CC: String(i) } : process.env;
        jobs.push({ prefix: i === undefined ? '' : `cc=${i}: `, sub: buildSubmission(p, { command: 'submit', env }) });
      }
    } catch (e) {
      this.optError(e);
    }
    if (first.has('dry-run')) {
      for (const j of jobs) process.stdout.write(pyJson(j.sub.jobspec) + '\n');
      return 0;
    }
    let progress = first.has('progress');
    if (progress && !process.stdout.isTTY) {
      process.stderr.write('flux: WARNING: stdout is not a tty. Ignoring --progress option\n');
      progress = false;
    }
    const h = await this.connect();
    return submitAll(h, jobs, followOpts(first, progress));
  }
}
