/**
 * flux exec --jobid=ID: the broker ranks of a running job's allocation, in
 * order; -r and -x then index into that list (-r 0 is the job's first node).
 * Only the instance owner's jobs that are running (R) qualify.
 */
import type { Client } from '../api/client';
import { decode } from '../../lib/formats/idset';
import { parseIdArg, STATES, type JobRecord } from '../jobspec/job-info';

export class JobRanksError extends Error {}

export async function jobRanks(h: Client, jobid: string): Promise<{ id: number; ranks: number[] }> {
  const id = parseIdArg(jobid);
  if (id === undefined) throw new JobRanksError(`error parsing jobid: "${jobid}"`);
  const j = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: [id] })).jobs[0];
  if (!j) throw new JobRanksError(`job ${jobid} not found`);
  if (!(j.state & STATES['running']!) || j.ranks === undefined) throw new JobRanksError(`job ${jobid} is not running`);
  const owner = Number(await h.getattr('security.owner'));
  if (j.userid !== owner) throw new JobRanksError(`job ${jobid}: --jobid is only available when the job owner is the instance owner`);
  return { id, ranks: decode(j.ranks) };
}
