/**
 * sched: hosts one scheduling policy behind RFC 27. The policy is resolved by
 * name from the broker's policy registry (ISchedPolicies, ADR 0018): the
 * built-ins of plugins/sched/ and whatever a site module provides.
 */
import {
  defineModule,
  Errno,
  FluxError,
  IConfig,
  IHandle,
  IModuleArgs,
  inject,
  injectable,
  IRegistries,
  type Handle,
  type ModuleRegistries,
  type Registry,
} from '../../kernel/api';
import { checkPolicyOptions, schedConfig, schedConfigSchema, type SchedConfig } from './config';
import { ISchedPolicies, type SchedPolicy, type SchedPolicyPlugin } from './plugin-api';
import { resolvePolicy } from './registry';
import { SchedModule } from './sched';
import { schedProtocol } from '../../lib/protocol/sched';

/** The module's class as its child container builds it: the policy named by [sched] and the module arguments. */
@injectable()
export class Sched extends SchedModule {
  constructor(
    @inject(IHandle) h: Handle,
    @inject(IConfig) config: Readonly<Record<string, unknown>>,
    @inject(IModuleArgs) args: readonly string[],
    @inject(IRegistries) registries: ModuleRegistries,
  ) {
    const policies = registries.of(ISchedPolicies);
    // flux config load/reload with a new [sched]: a new policy takes over the queue (SchedModule.configReload)
    const rebuild = (c: Readonly<Record<string, unknown>>) => makePolicy(schedConfig(c, args), policies);
    super(h, rebuild(config), rebuild);
  }
}

export default defineModule({
  name: 'sched',
  description: 'scheduler: RFC 27 with job-manager, policy from plugins/sched',
  ranks: 'leader',
  config: schedConfigSchema,
  protocol: schedProtocol,
  module: Sched,
});

function makePolicy(cfg: SchedConfig, policies: Registry<SchedPolicyPlugin>): SchedPolicy {
  const plugin = resolvePolicy(cfg.policy, policies);
  checkPolicyOptions(plugin, cfg.options);
  try {
    return plugin.create(cfg.options);
  } catch (e) {
    if (e instanceof FluxError) throw e;
    throw new FluxError(Errno.EINVAL, `policy ${plugin.name}: ${(e as Error).message}`);
  }
}
