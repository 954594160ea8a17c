/**
 * cli-pool: warm `flux` clients, started ahead of time, that the launcher
 * (bin/flux -> dist/native/flux-launch) hands commands to, so that a command
 * does not wait for Node to start. docs/guide/cli-pool.md
 */
import { defineModule, IConfig, IHandle, IModuleArgs, inject, injectable, parseArgs, type Handle } from '../../kernel/api';
import { poolSize } from './config';
import { CliPool } from './pool';
import { cliPoolProtocol } from '../../lib/protocol/cli-pool';

/** The pool as the module's child container builds it: its size from [cli-pool] and the module arguments. */
@injectable()
export class CliPoolModule extends CliPool {
  constructor(@inject(IHandle) h: Handle, @inject(IConfig) config: Readonly<Record<string, unknown>>, @inject(IModuleArgs) args: readonly string[]) {
    super(h, poolSize(config, parseArgs(args)));
  }
}

export default defineModule({
  name: 'cli-pool',
  description: 'warm flux clients for fast commands',
  ranks: 'leader',
  protocol: cliPoolProtocol,
  config: { 'cli-pool': { kind: 'table', keys: { size: { kind: 'integer', min: 0, max: 64 } } } },
  module: CliPoolModule,
});
