/**
 * flux job purge [-f] [--age-limit=FSD] [--num-limit=N] [--batch=N] [ID...]:
 * remove inactive jobs from the job manager and the kvs (job-manager.purge /
 * purge-id). Without -f only counts what would be purged.
 */
import { JobCommand } from '../../jobspec/job-command';
import { fsd } from '../../../lib/formats';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobPurgeCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'purge'],
    grammar: 'getopt',
    prog: 'flux-job purge',
    summary: 'Purge the oldest inactive jobs',
    docLine: true,
    usage: '[OPTIONS] [id...]',
    options: [
      { name: 'age-limit', arg: 'FSD', description: 'Purge jobs that became inactive beyond age-limit.' },
      { name: 'num-limit', arg: 'COUNT', description: 'Purge oldest inactive jobs until COUNT are left.' },
      { name: 'force', short: 'f', description: 'Perform the irreversible purge.' },
      { name: 'batch', arg: 'COUNT', default: '50', description: 'Limit number of jobs per request (default 50).' },
    ],
    operands: [{ name: 'id', nargs: '*' }],
  };

  private get ageLimit(): string | undefined {
    return this.args.str('age-limit');
  }
  private get numLimit(): string | undefined {
    return this.args.str('num-limit');
  }
  private get force(): boolean {
    return this.args.has('force');
  }
  private get batch(): string {
    return this.args.str('batch', '50');
  }
  private get ids(): string[] {
    return this.args.operands;
  }

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
          total += (await jobManager.call(h, 'purge-id', { id, force: this.force })).count;
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
          count = (await jobManager.call(h, 'purge', { age_limit: age, num_limit: num, batch, force: this.force })).count;
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
