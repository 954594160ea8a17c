/** flux submit: submit one job (or one per --cc/--bcc id) and print its id. */
import { listPlugins } from '../jobspec/shape-options';
import { FluxCommand, CommandExit } from '../base-command';
import { idset } from '../../lib/formats';
import { COMMON_OPTIONS, SUBMIT_OPTIONS, SubmitOptionError, buildSubmission, pyJson, submissionSpec } from '../jobspec';
import { followOpts, submitAll, type JobSource, type Pending } from '../jobspec/submit-jobs';
import { copyRequests, type CopyRequest } from '../jobspec/copies';
import type { ParsedArgs } from '../options';

export class SubmitCommand extends FluxCommand {
  static override spec = submissionSpec('submit', 'Submit a job to a Flux instance', 'flux submit [OPTIONS...] COMMAND [ARGS...]', [
    ...COMMON_OPTIONS,
    ...SUBMIT_OPTIONS,
  ]);

  private optError(e: unknown): never {
    if (e instanceof SubmitOptionError) {
      if (e.message === 'per-task input not supported for submit') throw new CommandExit(1, `flux: ERROR: ${e.message}`);
      this.fail(e.message);
    }
    throw e;
  }

  async run(): Promise<number> {
    const first = this.args;
    if (first.has('list-plugins')) return listPlugins();
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
    // {cc} in any word (options included) becomes the id: each copy is parsed anew, and all are made before any is sent
    const perCopy = this.argv.some((a) => a.includes('{cc}'));
    // process.env answers each read through the runtime: copied once, not once a job
    const base = cc ? { ...process.env } : process.env;
    const build = (p: ParsedArgs, ccValue: string | undefined) =>
      buildSubmission(p, { command: 'submit', env: cc && ccValue !== undefined ? { ...base, FLUX_JOB_CC: ccValue } : process.env });
    const make = (i: number | undefined): Pending => {
      const p = perCopy || i === undefined ? this.reparse(this.argv.map((a) => a.split('{cc}').join(i === undefined ? '' : String(i)))) : first;
      return {
        prefix: i === undefined ? '' : `cc=${i}: `,
        sub: build(p, i === undefined ? undefined : String(i)),
        // --log=job{cc}.id: one file a copy, as Flux's
        log: p.get('log')?.value,
        logStderr: p.get('log-stderr')?.value,
      };
    };
    // without {cc} the copies differ only in FLUX_JOB_CC: once the first is made, the others are made as they are sent
    const ids = ccIds ?? [undefined];
    try {
      for (const i of perCopy ? ids : ids.slice(0, 1)) jobs.push(make(i));
    } catch (e) {
      this.optError(e);
    }
    const source: JobSource = { length: ids.length, at: (k) => jobs[k] ?? make(ids[k]) };
    if (ccIds && !perCopy) {
      // copies that differ only in FLUX_JOB_CC: the request is encoded once (the first copy was made above, so its errors are reported)
      let request: CopyRequest | undefined;
      source.encoded = (k) => {
        request ??= copyRequests((v) => build(first, v));
        return { prefix: `cc=${ccIds[k]}: `, request: request(ccIds[k]!) };
      };
    }
    if (first.has('dry-run')) {
      for (let k = 0; k < source.length; k++) process.stdout.write(pyJson(source.at(k).sub.jobspec) + '\n');
      return 0;
    }
    let progress = first.has('progress');
    if (progress && !process.stdout.isTTY) {
      process.stderr.write('flux: WARNING: stdout is not a tty. Ignoring --progress option\n');
      progress = false;
    }
    const h = await this.connect();
    return submitAll(h, source, { ...followOpts(first, progress), prog: this.prog });
  }
}
