/**
 * flux job stats: the instance's job counts as Flux's job-list prints them
 * (one JSON object: jobs per state, inactive jobs per result, purged jobs,
 * and the same per named queue).
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { JobRecord } from '../../jobspec/job-info';
import { countJobs } from '../../jobspec/job-counts';
import { JobStates } from '../../../lib/protocol/job-states';

export class JobStatsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'stats'],
    grammar: 'getopt',
    prog: 'flux-job stats',
    summary: 'Get current job stats',
    docLine: true,
    usage: '',
    options: [],
    operands: [],
  };

  async run(): Promise<number> {
    const h = await this.connect();
    const jobs = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states: JobStates.ALL, userid: -1 })).jobs;
    const purged = (await h.rpc<{ inactive_purged?: number }>('job-manager.stats-get', {})).inactive_purged ?? 0;
    const named = ((await h.rpc<{ queues?: { name: string }[] }>('job-manager.queue-status', {})).queues ?? []).map((q) => q.name);
    // per queue, as Flux's: purged jobs are not counted per queue
    const queues = named.map((name) => ({ name, ...countJobs(jobs.filter((j) => j.queue === name), 0) }));
    process.stdout.write(JSON.stringify({ ...countJobs(jobs, purged), queues }) + '\n');
    return 0;
  }
}
