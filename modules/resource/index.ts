/** resource: discovers resources on every rank; rank 0 builds R and serves status/drain. */
import { defineModule, einval } from '../../kernel/api';
import { resourceProtocol } from '../../lib/protocol/resource';
import { ResourceModule } from './resource';
import { resourceArgs, resourceConfig, resourceConfigSchema } from './config';

export default defineModule({
  name: 'resource',
  description: 'resource discovery, inventory (R), drain state',
  ranks: 'all',
  config: resourceConfigSchema,
  protocol: resourceProtocol,
  create: (scope) => {
    let cfg;
    try {
      cfg = { ...resourceConfig(scope.config), ...resourceArgs(scope.args) };
    } catch (e) {
      throw einval((e as Error).message);
    }
    return new ResourceModule(scope.handle, cfg);
  },
});
