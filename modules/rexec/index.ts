/**
 * rexec: remote subprocess execution on every rank (what `flux exec` uses).
 * Default export: the module manifest.
 */
import { defineModule } from '../../kernel/api';
import { rexecProtocol } from '../../lib/protocol/rexec';
import { Rexec } from './rexec';

export default defineModule({
  noArgs: true,
  name: 'rexec',
  description: 'run subprocesses on this broker for flux exec',
  ranks: 'all',
  protocol: rexecProtocol,
  // the host resolves the class from the module's child container: its handle is the IHandle token (writing-a-module.md)
  module: Rexec,
});
