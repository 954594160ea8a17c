/** sched: hosts one scheduling policy (plugins/sched/<name>) behind RFC 27. */
import { defineModule, Errno, FluxError } from '../../kernel/api';
import { checkPolicyOptions, schedConfig, schedConfigSchema, type SchedConfig } from './config';
import type { SchedPolicy } from './plugin-api';
import { resolvePolicy } from './registry';
import { SchedModule } from './sched';
import { schedProtocol } from '../../lib/protocol/sched';

export default defineModule({
  name: 'sched',
  description: 'scheduler: RFC 27 with job-manager, policy from plugins/sched',
  ranks: 'leader',
  config: schedConfigSchema,
  protocol: schedProtocol,
  create: (scope) => {
    // flux config load/reload with a new [sched]: a new policy takes over the queue (SchedModule.configReload)
    const rebuild = (config: Readonly<Record<string, unknown>>) => makePolicy(schedConfig(config, scope.args));
    return new SchedModule(scope.handle, makePolicy(schedConfig(scope.config, scope.args)), rebuild);
  },
});

function makePolicy(cfg: SchedConfig): SchedPolicy {
  const plugin = resolvePolicy(cfg.policy);
  checkPolicyOptions(plugin, cfg.options);
  try {
    return plugin.create(cfg.options);
  } catch (e) {
    if (e instanceof FluxError) throw e;
    throw new FluxError(Errno.EINVAL, `policy ${plugin.name}: ${(e as Error).message}`);
  }
}
