/**
 * Finds scheduler policies (ADR 0018). By name, in the broker's policy
 * registry (the ISchedPolicies token of the instance-wide container): every
 * folder of plugins/sched/ registers itself there as a built-in (no
 * hand-kept list), and a site module provides its own names, or overrides a
 * built-in, with `scope.container.resolve(IRegistries).provide(ISchedPolicies,
 * NAME, plugin)`. By path, a site policy file outside the tree. An unknown
 * name names the ones that exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, FluxError, Registry, einval } from '../../kernel/api';
import { isSchedPolicyPlugin, type SchedPolicyPlugin } from './plugin-api';

/** dist/plugins/sched (this file is dist/modules/sched/registry.js) */
export const policyDir = path.resolve(__dirname, '..', '..', 'plugins', 'sched');

/** Names of the policies in the tree, sorted. */
export function availablePolicies(dir = policyDir): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'index.js')))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function load(file: string, what: string): SchedPolicyPlugin {
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (e) {
    throw einval(`policy ${what}: failed to import: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = mod as { default?: unknown };
  const p = isSchedPolicyPlugin(m?.default) ? m.default : isSchedPolicyPlugin(mod) ? mod : undefined;
  if (!p) throw einval(`policy ${what}: does not export a flux-ts scheduler policy`);
  return p;
}

/** The tree's policies, as built-ins of `reg` (each once: a site's entry of the same name stays above it). */
export function provideBuiltinPolicies(reg: Registry<SchedPolicyPlugin>, dir = policyDir): void {
  for (const name of availablePolicies(dir)) {
    if (!reg.hasFallback(name)) reg.provide(name, load(path.join(dir, name, 'index.js'), name), { fallback: true });
  }
}

/** Resolve a policy by name (in `reg`, with the built-ins) or path. Throws EINVAL (unknown name) or ENOENT (missing path). */
export function resolvePolicy(spec: string, reg: Registry<SchedPolicyPlugin> = new Registry(), dir = policyDir): SchedPolicyPlugin {
  if (spec.includes('/')) {
    const abs = path.resolve(spec);
    if (!fs.existsSync(abs)) throw new FluxError(Errno.ENOENT, `policy ${spec}: No such file or directory`);
    const file = fs.statSync(abs).isDirectory() ? path.join(abs, 'index.js') : abs;
    return load(file, spec);
  }
  provideBuiltinPolicies(reg, dir);
  const p = reg.get(spec);
  if (!p) throw einval(`unknown policy "${spec}" (available: ${reg.names().join(', ') || 'none'})`);
  if (!isSchedPolicyPlugin(p)) throw einval(`policy ${spec}: what was registered is not a flux-ts scheduler policy`);
  return p;
}
