/**
 * Finds the built-in job-shell plugins: every folder of plugins/shell/ with an
 * index.js (no hand-kept list), in folder-name order, loaded once per broker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isShellPlugin, type ShellPlugin } from './plugin-api';

/** dist/plugins/shell (this file is dist/modules/job-exec/plugins.js) */
export const shellPluginDir = path.resolve(__dirname, '..', '..', 'plugins', 'shell');

let cache: ShellPlugin[] | undefined;

export function builtinShellPlugins(dir = shellPluginDir): ShellPlugin[] {
  if (cache) return cache;
  const out: ShellPlugin[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    names = [];
  }
  for (const n of names) {
    const file = path.join(dir, n, 'index.js');
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default?: unknown };
    if (isShellPlugin(mod.default)) out.push(mod.default);
  }
  cache = out;
  return out;
}
