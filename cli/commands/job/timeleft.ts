/**
 * flux job timeleft [-H] [ID]: whole seconds left to a job (ID, or FLUX_JOB_ID
 * inside a job) or, outside a job, to the enclosing instance (its R expiration).
 * Unlimited is 4294967295 (UINT_MAX), or `infinity` with -H.
 */
import { JobCommand } from '../../jobspec/job-command';
import { parseIdArg, type JobRecord } from '../../jobspec/job-info';
import { fsd } from '../../../lib/formats';
import type { FluxError } from '../../../lib/errors';
import type { Client } from '../../api/client';
import type { CommandSpec } from '../../options';

const UINT_MAX = 4294967295;
const PENDING = 14;
const RUN = 16;

export class JobTimeleftCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'timeleft'],
    grammar: 'getopt',
    prog: 'flux-job timeleft',
    summary: 'Find remaining runtime for job or enclosing instance',
    docLine: true,
    usage: '[JOBID]',
    options: [{ name: 'human', short: 'H', description: 'Output in Flux Standard Duration instead of seconds.' }],
    operands: [{ name: 'JOBID', nargs: '?' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const h = await this.connect();
    const s = p.operands[0] ?? process.env['FLUX_JOB_ID'];
    const expiration = s !== undefined ? await this.jobExpiration(h, s) : await this.instanceExpiration(h);
    const t = expiration === 0 ? Infinity : Math.max(0, expiration - Date.now() / 1000);
    if (p.has('human')) process.stdout.write(fsd.formatC(t) + '\n');
    else {
      let sec = t === Infinity ? UINT_MAX : Math.floor(t);
      if (sec === 0 && t > 0) sec = 1;
      process.stdout.write(`${sec}\n`);
    }
    return 0;
  }

  /** 0 = unlimited; a past time (1) for a job no longer running */
  private async jobExpiration(h: Client, s: string): Promise<number> {
    const id = parseIdArg(s);
    if (id === undefined) this.fail(`failed to parse jobid ${s}`);
    let job: JobRecord | undefined;
    try {
      job = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] })).jobs[0];
    } catch (e) {
      this.fail(`flux_job_list_id: ${s}: ${(e as FluxError).message}`);
    }
    if (!job) this.fail(`${s}: no such jobid`);
    if (job.state & PENDING) this.fail(`job ${s} has not started`);
    if (job.state !== RUN) return 1;
    return job.expiration ?? 0;
  }

  private async instanceExpiration(h: Client): Promise<number> {
    try {
      const r = await h.rpc<{ R?: { execution?: { expiration?: number } } }>('resource.status', {});
      return r.R?.execution?.expiration ?? 0;
    } catch (e) {
      this.fail(`resource.status: ${(e as FluxError).message}`);
    }
  }
}
