/** flux housekeeping kill: signal housekeeping tasks, by job, by node, or all of them. */
import { hostlist, idset, tryParseJobId } from '../../../kernel/api';
import { FluxCommand } from '../../base-command';
import { housekeepingSpec } from './group';
import { ranksOfHosts, ranksOfIdset } from './targets';

export class HousekeepingKillCommand extends FluxCommand {
  static override spec = housekeepingSpec('kill', 'Kill active housekeeping tasks', [
    { name: 'signal', short: 's', arg: 'SIGNUM', default: '15', description: 'Specify signal number to send to housekeeping task' },
    { name: 'targets', short: 't', arg: 'RANKS|HOSTS', description: 'Only target specific ranks or hostnames' },
    { name: 'jobid', short: 'j', arg: 'JOBID', description: 'target housekeeping tasks for this jobid or "all" for all jobs' },
    { name: 'all', description: 'kill all active housekeeping tasks' },
  ]);

  async run(): Promise<number> {
    const p = this.args;
    const sig = p.str('signal', '15');
    if (!/^[+-]?\d+$/.test(sig.trim())) this.usageError(`argument -s/--signal: invalid int value: '${sig}'`);
    const payload: Record<string, unknown> = { signum: Number(sig) };
    const jobid = p.str('jobid');
    let id: bigint | undefined;
    if (jobid !== undefined) {
      id = tryParseJobId(jobid);
      if (id === undefined) this.usageError(`argument -j/--jobid: invalid JobID value: '${jobid}'`);
    }
    const targets = p.str('targets');
    // one selection at least (never all by default)
    if (id === undefined && targets === undefined && !p.has('all')) this.fail('specify at least one of --targets, --jobid, or --all');
    if (p.has('all') && id !== undefined) this.fail('do not specify --jobid with --all');
    if (id !== undefined) payload['jobid'] = Number(id);
    const h = await this.connect();
    if (targets !== undefined) {
      let ranks = ranksOfIdset(targets);
      if (ranks === undefined) {
        try {
          hostlist.expand(targets);
        } catch {
          this.fail('--targets must be a valid Idset or Hostlist');
        }
        try {
          ranks = ranksOfHosts(targets, await h.getattr('hostlist'), true);
        } catch (e) {
          this.fail((e as Error).message);
        }
      }
      payload['ranks'] = idset.encode(ranks);
    }
    await h.rpc('job-manager.housekeeping-kill', payload);
    return 0;
  }
}
