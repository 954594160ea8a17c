/**
 * rexec: remote subprocess execution on every rank (what `flux exec` uses).
 * Default export: the module manifest.
 */
import { defineModule } from '../../kernel/api';
import { Rexec } from './rexec';

export default defineModule({
  name: 'rexec',
  description: 'run subprocesses on this broker for flux exec',
  ranks: 'all',
  create: (scope) => new Rexec(scope.handle),
});
