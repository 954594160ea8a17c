/**
 * The sched module's options: the [sched] config table, overridden by module
 * args (key=value). `policy` picks the policy (default fcfs); the rest is
 * handed to the policy (e.g. select=low|high).
 */
import { einval, parseArgs, type ConfigSchema } from '../../kernel/api';
import type { SchedPolicyPlugin } from './plugin-api';

/** [sched]: policy and select, plus the options the policy in use declares (checked at load). */
export const schedConfigSchema: ConfigSchema = {
  sched: {
    kind: 'table',
    keys: { policy: { kind: 'string' }, select: { kind: 'string', enum: ['low', 'high'] } },
    rest: {
      kind: 'custom',
      what: 'a policy option (string, number or boolean)',
      check: (v) => (typeof v === 'object' && v !== null ? 'a policy option must be a string, number or boolean' : undefined),
    },
  },
};

/** Options the policy does not take are refused (they would do nothing). */
export function checkPolicyOptions(plugin: SchedPolicyPlugin, options: ReadonlyMap<string, string>): void {
  const known = new Set(['select', ...(plugin.options ?? [])]);
  for (const k of options.keys()) {
    if (!known.has(k)) throw einval(`sched.${k}: unknown option for policy ${plugin.name} (it takes: ${[...known].join(', ')})`);
  }
}

export interface SchedConfig {
  policy: string;
  options: Map<string, string>;
}

export function schedConfig(config: Readonly<Record<string, unknown>>, args: readonly string[]): SchedConfig {
  const table = config['sched'];
  const options = new Map<string, string>();
  if (table !== undefined) {
    if (typeof table !== 'object' || table === null || Array.isArray(table)) throw einval('[sched] must be a table');
    for (const [k, v] of Object.entries(table as Record<string, unknown>)) {
      if (typeof v === 'object' && v !== null) throw einval(`sched.${k} must be a string, number or boolean`);
      options.set(k, String(v));
    }
  }
  for (const [k, v] of parseArgs(args)) options.set(k, v);
  const policy = options.get('policy') ?? 'fcfs';
  options.delete('policy');
  if (policy === '') throw einval('sched.policy must not be empty');
  return { policy, options };
}
