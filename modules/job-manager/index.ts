/**
 * job-manager: owns job state (RFC 21) and the queue. Services (payloads in
 * docs/guide/internal-contracts.md and modules/job-manager/README.md):
 * submit, list, raise, raiseall, kill, killall, urgency, update (update.ts), wait, wait-inactive, drain,
 * idle, pending-watch, queue-status, queue-enable, queue-start (each with an optional
 * `queue` name), queue-list, validate (defaults, queue and limits at submit, queues.ts),
 * sched-hello, sched-ready,
 * purge, purge-id, stats-get, jobtap, jobtap-query (plugins: jobtap/service.ts).
 */
import { defineModule } from '../../kernel/api';
import { jobManagerProtocol } from '../../lib/protocol/job-manager';
import { jobManagerConfigSchema } from './config-schema';
import { JobManager } from './service';

export default defineModule({
  noArgs: true,
  name: 'job-manager',
  description: 'Job state machine, queue and eventlog writer',
  ranks: 'leader',
  config: jobManagerConfigSchema,
  protocol: jobManagerProtocol,
  // the class is resolved from the module's child container (service.ts)
  module: JobManager,
});
