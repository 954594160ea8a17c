/** resource: discovers resources on every rank; rank 0 builds R and serves status/drain. */
import { defineModule, einval, IConfig, IConnectInstance, IHandle, IModuleArgs, inject, injectable, type ConnectInstance, type Handle } from '../../kernel/api';
import { resourceProtocol } from '../../lib/protocol/resource';
import { ResourceModule } from './resource';
import { resourceArgs, resourceConfig, resourceConfigSchema, type ResourceConfig } from './config';

/** The service as the module's child container builds it: [resource], overridden by the module arguments. */
@injectable()
export class Resource extends ResourceModule {
  constructor(
    @inject(IHandle) h: Handle,
    @inject(IConfig) config: Readonly<Record<string, unknown>>,
    @inject(IModuleArgs) args: readonly string[],
    @inject(IConnectInstance) connect: ConnectInstance,
  ) {
    super(h, options(config, args), connect);
  }
}

function options(config: Readonly<Record<string, unknown>>, args: readonly string[]): ResourceConfig {
  try {
    return { ...resourceConfig(config), ...resourceArgs(args) };
  } catch (e) {
    throw einval((e as Error).message);
  }
}

export default defineModule({
  name: 'resource',
  description: 'resource discovery, inventory (R), drain state',
  ranks: 'all',
  config: resourceConfigSchema,
  protocol: resourceProtocol,
  module: Resource,
});
