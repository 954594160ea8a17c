/**
 * Pending jobs whose queue is not configured: it was removed from the config
 * (flux config reload, or across a restart on the same statedir), or the job
 * has no queue and named queues are configured now. As in Flux 0.88 they stay
 * pending, not failed (flux-core's job-manager/queue.c leaves a removed
 * queue's jobs in place on purpose): they are scheduled again once their
 * queue is configured again, and meanwhile `flux cancel` ends them and
 * `flux update ID queue=NAME` moves them. Each one gets a line in the log,
 * since nothing else says why it waits.
 */
import { encodeF58 } from '../../lib/formats';
import { PENDING, type Job } from './job';

/** the pending jobs that no configured queue will schedule */
export function strandedJobs(jobs: Iterable<Job>, queues: ReadonlyMap<string, unknown>): Job[] {
  const out: Job[] = [];
  for (const job of jobs) {
    if (!(job.state & PENDING)) continue;
    if (queues.size > 0 ? job.queue === undefined || !queues.has(job.queue) : false) out.push(job);
  }
  return out;
}

/** the log line for one of them */
export function strandedNote(job: Job): string {
  const what = job.queue === undefined ? 'has no queue and named queues are configured' : `is in queue ${job.queue}, which is not configured`;
  const how = job.queue === undefined ? 'it is moved to a queue (flux update ID queue=NAME)' : 'the queue is configured again';
  return `job ${encodeF58(job.id)} ${what}: it stays pending until ${how}, or is canceled`;
}
