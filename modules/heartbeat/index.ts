/**
 * heartbeat: publishes heartbeat.pulse on rank 0 at a fixed period, and on
 * the other ranks watches for it (Flux's heartbeat module). Default export: the module manifest.
 */
import { defineModule } from '../../kernel/api';
import { heartbeatProtocol } from '../../lib/protocol/heartbeat';
import { Heartbeat, heartbeatConfigSchema } from './heartbeat';

export default defineModule({
  name: 'heartbeat',
  description: 'publish heartbeat.pulse at a fixed period',
  ranks: 'all',
  protocol: heartbeatProtocol,
  config: heartbeatConfigSchema,
  // the host resolves the class from the module's child container (writing-a-module.md)
  module: Heartbeat,
});
