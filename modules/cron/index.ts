/**
 * cron: run commands on timers, events and dates (flux-cron(1)), on rank 0.
 * Default export: the module manifest.
 */
import { defineModule } from '../../kernel/api';
import { cronProtocol } from '../../lib/protocol/cron';
import { Cron } from './cron';

export default defineModule({
  name: 'cron',
  description: 'run commands on timers, events and dates',
  ranks: 'leader',
  protocol: cronProtocol,
  // the host resolves the class from the module's child container (writing-a-module.md)
  module: Cron,
});
