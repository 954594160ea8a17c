/**
 * The options flux pgrep and flux pkill share, and the jobs they select: the
 * user's active jobs by default (job-manager.list), narrowed by -f/-q and the
 * EXPRESSION words, in the job manager's order (newest first), at most
 * --max-entries considered and -c/--count kept.
 */
import * as os from 'node:os';
import type { Client } from '../api/client';
import type { OptionSpec, ParsedArgs } from '../options';
import { RESULTS, STATES, type JobRecord } from '../jobspec/job-info';
import { matches, parseExpressions } from './expression';
import { passwdUid } from '../users';

export const SHARED_OPTIONS: readonly OptionSpec[] = [
  { name: 'all-users', short: 'A', description: 'Include jobs for all users. Shorthand for --user=all' },
  { name: 'user', short: 'u', arg: 'USER', description: 'Fetch jobs only for the given user, instead of the current UID' },
  { name: 'filter', short: 'f', arg: 'STATE|RESULT', description: 'Include jobs with specific job state or result. Multiple states or results can be listed separated by comma. See JOB STATUS in the flux-jobs(1) manual page' },
  { name: 'queue', short: 'q', arg: 'QUEUE', description: 'Only include jobs in queue QUEUE' },
  { name: 'count', short: 'c', arg: 'N', default: '1000', description: 'Limit output to the first N matches (default 1000)' },
  { name: 'max-entries', arg: 'N', default: '1000', description: 'Limit number of jobs to consider to N (default 1000)' },
];

/** a problem with the options: the command prints it as its usage error */
export class SelectError extends Error {}

function count(p: ParsedArgs, name: string): number {
  const v = p.str(name, '1000');
  if (!/^\d+$/.test(v)) throw new SelectError(`argument ${name === 'count' ? '-c/--count' : '--max-entries'}: invalid int value: '${v}'`);
  return Number(v);
}

/** The jobs the command line selects; `all` adds inactive jobs (pgrep -a). */
export async function selectJobs(h: Client, p: ParsedArgs, all: boolean): Promise<JobRecord[]> {
  const matcher = parseExpressions(p.operands);
  const limit = count(p, 'count');
  const max = count(p, 'max-entries');
  let states = STATES['active']!;
  let results = 0;
  if (all) states |= STATES['inactive']!;
  const filter = p.str('filter');
  if (filter !== undefined) {
    states = 0;
    for (const f of filter.split(',')) {
      const k = f.trim().toLowerCase();
      if (k in STATES) states |= STATES[k]!;
      else if (k in RESULTS) {
        results |= RESULTS[k]!;
        states |= STATES['inactive']!;
      }
      else throw new SelectError(`Invalid filter specified: ${f}`);
    }
  }
  let userid = os.userInfo().uid;
  const user = p.str('user');
  if (p.has('all-users') || user === 'all') userid = -1;
  else if (user !== undefined) {
    if (/^\d+$/.test(user)) userid = Number(user);
    else {
      const uid = passwdUid(user);
      if (uid === undefined) throw new SelectError(`Invalid user ${user} specified`);
      userid = uid;
    }
  }
  let jobs = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid })).jobs;
  if (results) jobs = jobs.filter((j) => j.state !== 64 || (j.result !== undefined && (j.result & results) !== 0));
  const q = p.str('queue');
  if (q !== undefined) jobs = jobs.filter((j) => j.queue === q);
  if (max > 0) jobs = jobs.slice(0, max);
  jobs = jobs.filter((j) => matches(matcher, j));
  return limit > 0 ? jobs.slice(0, limit) : jobs;
}
