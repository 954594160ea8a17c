/**
 * rexec: remote subprocess execution on every rank (what `flux exec` uses).
 * Default export: the module manifest.
 */
import { defineModule } from '../../kernel/api';
import { rexecProtocol } from '../../lib/protocol/rexec';
import { Rexec } from './rexec';

export default defineModule({
  name: 'rexec',
  description: 'run subprocesses on this broker for flux exec',
  ranks: 'all',
  protocol: rexecProtocol,
  create: (scope) => new Rexec(scope.handle),
});
