/**
 * An instance's jobs counted as Flux's job-list counts them: per state, and
 * the inactive ones per result (flux job stats prints it whole; flux jobs
 * --stats sums it into running, completed, failed and pending).
 */
import { JobResult, JobState } from '../../lib/protocol/job-states';
import type { JobRecord } from './job-info';

const STATE_KEYS: [number, string][] = [
  [JobState.DEPEND, 'depend'],
  [JobState.PRIORITY, 'priority'],
  [JobState.SCHED, 'sched'],
  [JobState.RUN, 'run'],
  [JobState.CLEANUP, 'cleanup'],
  [JobState.INACTIVE, 'inactive'],
];

export interface JobCounts {
  job_states: Record<string, number>;
  successful: number;
  failed: number;
  timeout: number;
  canceled: number;
  inactive_purged: number;
}

export function countJobs(jobs: readonly JobRecord[], purged: number): JobCounts {
  const states: Record<string, number> = Object.fromEntries(STATE_KEYS.map(([, k]) => [k, 0]));
  const c = { successful: 0, failed: 0, timeout: 0, canceled: 0 };
  for (const j of jobs) {
    const k = STATE_KEYS.find(([bit]) => bit === j.state)?.[1];
    if (k !== undefined) states[k]!++;
    if (j.state !== JobState.INACTIVE) continue;
    if (j.result === JobResult.COMPLETED) c.successful++;
    else if (j.result === JobResult.TIMEOUT) c.timeout++;
    else if (j.result === JobResult.CANCELED) c.canceled++;
    else c.failed++;
  }
  states['total'] = jobs.length;
  return { job_states: states, ...c, inactive_purged: purged };
}

/** flux jobs --stats's line: `N running, N completed, N failed, N pending, N inactive purged` */
export function statsLine(c: JobCounts): string {
  const s = c.job_states;
  const running = s['run']! + s['cleanup']!;
  const pending = s['depend']! + s['priority']! + s['sched']!;
  return `${running} running, ${c.successful} completed, ${c.failed + c.timeout + c.canceled} failed, ${pending} pending, ${c.inactive_purged} inactive purged`;
}
