/** resource: discovers resources on every rank; rank 0 builds R and serves status/drain. */
import { defineModule } from '../../kernel/api';
import { ResourceModule } from './resource';

export default defineModule({
  name: 'resource',
  description: 'resource discovery, inventory (R), drain state',
  ranks: 'all',
  create: (scope) => new ResourceModule(scope.handle),
});
