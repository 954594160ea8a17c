/**
 * Finds scheduler policies: by name among the folders of plugins/sched/ (no
 * hand-kept list), or by path for a site policy outside the tree. An unknown
 * name names the ones that exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, FluxError, einval } from '../../kernel/api';
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

/** Resolve a policy by name or path. Throws EINVAL (unknown name) or ENOENT (missing path). */
export function resolvePolicy(spec: string, dir = policyDir): SchedPolicyPlugin {
  if (spec.includes('/')) {
    const abs = path.resolve(spec);
    if (!fs.existsSync(abs)) throw new FluxError(Errno.ENOENT, `policy ${spec}: No such file or directory`);
    const file = fs.statSync(abs).isDirectory() ? path.join(abs, 'index.js') : abs;
    return load(file, spec);
  }
  const names = availablePolicies(dir);
  if (!names.includes(spec)) {
    throw einval(`unknown policy "${spec}" (available: ${names.join(', ') || 'none'})`);
  }
  return load(path.join(dir, spec, 'index.js'), spec);
}
