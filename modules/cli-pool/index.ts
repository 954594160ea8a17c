/**
 * cli-pool: warm `flux` clients, started ahead of time, that the launcher
 * (bin/flux -> dist/native/flux-launch) hands commands to, so that a command
 * does not wait for Node to start. docs/guide/cli-pool.md
 */
import { defineModule, parseArgs } from '../../kernel/api';
import { poolSize } from './config';
import { CliPool } from './pool';
import { cliPoolProtocol } from '../../lib/protocol/cli-pool';

export default defineModule({
  name: 'cli-pool',
  description: 'warm flux clients for fast commands',
  ranks: 'leader',
  protocol: cliPoolProtocol,
  config: { 'cli-pool': { kind: 'table', keys: { size: { kind: 'integer', min: 0, max: 64 } } } },
  create: (scope) => new CliPool(scope.handle, poolSize(scope.config, parseArgs(scope.args))),
});
