/**
 * flux job stats: the instance's job counts as Flux's job-list prints them
 * (one JSON object: jobs per state, inactive jobs per result, purged jobs,
 * and the same per named queue).
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { JobRecord } from '../../jobspec/job-info';
import { JobStates } from '../../../lib/protocol/job-states';

const STATE_KEYS: [number, string][] = [
  [2, 'depend'],
  [4, 'priority'],
  [8, 'sched'],
  [16, 'run'],
  [32, 'cleanup'],
  [64, 'inactive'],
];

interface Counts {
  job_states: Record<string, number>;
  successful: number;
  failed: number;
  timeout: number;
  canceled: number;
  inactive_purged: number;
}

function countJobs(jobs: readonly JobRecord[], purged: number): Counts {
  const states: Record<string, number> = Object.fromEntries(STATE_KEYS.map(([, k]) => [k, 0]));
  const c = { successful: 0, failed: 0, timeout: 0, canceled: 0 };
  for (const j of jobs) {
    const k = STATE_KEYS.find(([bit]) => bit === j.state)?.[1];
    if (k !== undefined) states[k]!++;
    if (j.state !== 64) continue;
    if (j.result === 1) c.successful++;
    else if (j.result === 8) c.timeout++;
    else if (j.result === 4) c.canceled++;
    else c.failed++;
  }
  states['total'] = jobs.length;
  return { job_states: states, ...c, inactive_purged: purged };
}

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
