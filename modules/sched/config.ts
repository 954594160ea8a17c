/**
 * The sched module's options: the [sched] config table, overridden by module
 * args (key=value). `policy` picks the policy (default fcfs); the rest is
 * handed to the policy (e.g. select=low|high).
 */
import { einval, parseArgs } from '../../kernel/api';

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
