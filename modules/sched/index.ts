/** sched: hosts one scheduling policy (plugins/sched/<name>) behind RFC 27. */
import { defineModule, Errno, FluxError } from '../../kernel/api';
import { checkPolicyOptions, schedConfig, schedConfigSchema } from './config';
import { resolvePolicy } from './registry';
import { SchedModule } from './sched';

export default defineModule({
  name: 'sched',
  description: 'scheduler: RFC 27 with job-manager, policy from plugins/sched',
  ranks: 'leader',
  config: schedConfigSchema,
  create: (scope) => {
    const cfg = schedConfig(scope.config, scope.args);
    const plugin = resolvePolicy(cfg.policy);
    checkPolicyOptions(plugin, cfg.options);
    let policy;
    try {
      policy = plugin.create(cfg.options);
    } catch (e) {
      if (e instanceof FluxError) throw e;
      throw new FluxError(Errno.EINVAL, `policy ${plugin.name}: ${(e as Error).message}`);
    }
    return new SchedModule(scope.handle, policy);
  },
});
