/**
 * While a job waits in the queue, say why when the scheduler knows it cannot
 * start it for now (job-manager.pending-watch: its sched.reason_pending, e.g.
 * nodes that are down). Each distinct reason is printed once.
 */
import type { Client } from '../api/client';

export function watchPending(client: Client, id: number, f58: string): void {
  let last: string | undefined;
  client
    .rpcStream('job-manager.pending-watch', { id }, (p) => {
      const reason = (p as { reason?: unknown } | undefined)?.reason;
      if (typeof reason !== 'string' || reason === last) return;
      last = reason;
      process.stderr.write(`flux-job: ${f58} is waiting: ${reason}\n`);
    })
    .catch(() => {
      /* an older job-manager, or the job is gone: nothing to say */
    });
}
