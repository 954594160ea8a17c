/**
 * flux job purge [-f] [--age-limit=FSD] [--num-limit=N] [--batch=N] [ID...]:
 * remove inactive jobs from the job manager and the kvs (job-manager.purge /
 * purge-id). Without -f only counts what would be purged.
 */
import { Command, Option } from 'clipanion';
import { JobCommand } from '../../jobspec/job-command';
import { fsd } from '../../../kernel/api/formats';
import type { FluxError } from '../../../kernel/api/errors';

export const PURGE_USAGE = `Usage: flux-job purge [OPTIONS] [id...]
Purge the oldest inactive jobs
  -h, --help             Display this message.
      --age-limit=FSD    Purge jobs that became inactive beyond age-limit.
      --num-limit=COUNT  Purge oldest inactive jobs until COUNT are left.
  -f, --force            Perform the irreversible purge.
      --batch=COUNT      Limit number of jobs per request (default 50).`;

export class JobPurgeCommand extends JobCommand {
  static override paths = [['job', 'purge']];
  static override usageLine = PURGE_USAGE;
  static override usage = Command.Usage({ description: 'Purge the oldest inactive jobs' });
  ageLimit = Option.String('--age-limit');
  numLimit = Option.String('--num-limit');
  force = Option.Boolean('-f,--force', false);
  batch = Option.String('--batch', '50');
  ids = Option.Rest();

  async run(): Promise<number> {
    const batch = this.int('batch', this.batch);
    if (batch <= 0) this.fail('purge: --batch must be > 0');
    let total = 0;
    if (this.ids.length > 0) {
      const parsed: number[] = [];
      for (const typed of this.ids) {
        const id = this.jobId(typed);
        parsed.push(id);
      }
      const h = await this.connect();
      for (const id of parsed) {
        try {
          total += (await h.rpc<{ count: number }>('job-manager.purge-id', { id, force: this.force })).count;
        } catch (e) {
          this.fail(`purge: ${(e as FluxError).message}`);
        }
      }
    } else {
      let age = -1;
      if (this.ageLimit !== undefined) {
        const t = fsd.tryParse(this.ageLimit);
        if (t === undefined) this.fail(`Invalid Flux standard duration '${this.ageLimit}' for option age-limit`);
        age = t === Infinity ? -1 : t;
      }
      const num = this.numLimit === undefined ? -1 : this.int('num-limit', this.numLimit);
      const h = await this.connect();
      for (;;) {
        let count: number;
        try {
          count = (await h.rpc<{ count: number }>('job-manager.purge', { age_limit: age, num_limit: num, batch, force: this.force })).count;
        } catch (e) {
          this.fail(`purge: ${(e as FluxError).message}`);
        }
        total += count;
        if (!this.force || count < batch) break;
      }
    }
    const h = await this.connect();
    const inactive = (await h.rpc<{ inactive_jobs: number }>('job-manager.stats-get', {})).inactive_jobs;
    if (this.force) process.stdout.write(`purged ${total} inactive jobs, ${inactive} remaining\n`);
    else process.stdout.write(`use --force to purge ${total} of ${inactive} inactive jobs\n`);
    return 0;
  }

  private int(name: string, s: string): number {
    if (!/^-?[0-9]+$/.test(s)) this.fail(`option ${name}: invalid integer '${s}'`);
    return Number(s);
  }
}
