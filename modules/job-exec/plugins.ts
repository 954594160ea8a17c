/**
 * The job shell's plugins come from one place: the broker's IShellPlugins
 * registry (ADR 0018). Every folder of plugins/shell/ with an index.js puts
 * its plugin there as a built-in (a fallback entry, by its name; no hand-kept
 * list), once per broker, before its first job. A site module provides its own
 * names there, or a built-in's name to replace it while it is loaded.
 * `registeredStack` is what a job starts with: the entry that answers for
 * each name, built-ins first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Registry } from '../../kernel/api';
import { isShellPlugin, ShellError, type ShellPlugin } from './plugin-api';

/** dist/plugins/shell (this file is dist/modules/job-exec/plugins.js) */
export const shellPluginDir = path.resolve(__dirname, '..', '..', 'plugins', 'shell');

/** one plugin of a job's stack; `builtin`: from plugins/shell (its ShellError is worded for the user already) */
export interface StackEntry {
  plugin: ShellPlugin;
  builtin: boolean;
}

/** The built-in plugins in the tree, in folder-name order (read once, before the first job starts). */
export function builtinShellPlugins(dir = shellPluginDir): ShellPlugin[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: ShellPlugin[] = [];
  for (const n of names) {
    const file = path.join(dir, n, 'index.js');
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default?: unknown };
    if (!isShellPlugin(mod.default)) throw new Error(`plugins/shell/${n}: does not export a shell plugin`);
    out.push(mod.default);
  }
  return out;
}

/** The tree's plugins as built-ins of `reg` (each once: a module's entry of the same name stays above it). */
export function provideBuiltinShellPlugins(reg: Registry<ShellPlugin>, dir = shellPluginDir): void {
  for (const p of builtinShellPlugins(dir)) {
    if (!reg.hasFallback(p.name)) reg.provide(p.name, p, { fallback: true });
  }
}

/**
 * The registry's plugins as a job's stack starts: the entry answering for each
 * name, built-ins in folder order, then what modules provide in the order they
 * provided it (a replaced built-in moves there). A value that is not a shell
 * plugin stays in the stack as one that fails the job naming it.
 */
export function registeredStack(reg: Registry<ShellPlugin>): StackEntry[] {
  return reg.active().map((e) => ({ plugin: isShellPlugin(e.value) ? e.value : notAPlugin(e.name), builtin: e.fallback }));
}

function notAPlugin(name: string): ShellPlugin {
  const fail = (): never => {
    throw new ShellError('what a module provided under this name is not a shell plugin');
  };
  return { fluxShellPlugin: 1, name, leader: fail, shell: fail };
}
