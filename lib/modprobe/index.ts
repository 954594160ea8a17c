/**
 * The module table (flux-modprobe(1)): the installation's modules/modprobe.toml
 * and the search path's modprobe.d files (files.ts), entries and the service
 * names they stand for (db.ts), and what rc1, `flux modprobe load` and
 * `remove` do with them (solve.ts). The broker's rc1 and the command share it.
 */
import { isTable } from '../config-schema';
import type { ModuleDb } from './db';
import { readTables } from './files';
import type { ProbeContext } from './solve';

export { ModuleDb } from './db';
export { ranksMatcher } from './ranks';
export { updateKeys, shownEntry, type ModuleEntry } from './entry';
export { addTable, builtinDb, readTableFile, readTables, type TableRead } from './files';
export { dependencyTree, loadPlan, notEnabled, predecessors, rc1Targets, removePlan, type LoadedModules, type ProbeContext } from './solve';

/**
 * The broker config's [modules] table applied to the db: `disable` (names
 * the table lacks are ignored), `alternatives.SERVICE = MODULE`, and
 * `NAME.KEY` updates of an entry (a NAME the table lacks is an error); then
 * FLUX_MODPROBE_DISABLE (comma-separated names). Throws one line.
 */
export function applyModulesConfig(db: ModuleDb, modules: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(modules ?? {})) {
    if (key === 'disable') {
      for (const n of value as string[]) if (db.has(n)) db.disable(n);
    } else if (key === 'alternatives' && isTable(value)) {
      for (const [service, module] of Object.entries(value)) {
        try {
          db.setAlternative(service, String(module));
        } catch (e) {
          throw new Error(`modules.alternatives.${service}: ${(e as Error).message}`, { cause: e });
        }
      }
    } else {
      db.update(key, value, `modules.${key}`);
    }
  }
  for (const n of (env['FLUX_MODPROBE_DISABLE'] ?? '').split(/[\s,]+/).filter((x) => x !== '')) {
    try {
      db.disable(n);
    } catch (e) {
      throw new Error(`FLUX_MODPROBE_DISABLE: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The problem a [modules] table has with the module table (a reloaded config is checked so), or undefined. */
export async function modulesConfigProblem(modules: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    applyModulesConfig((await readTables(env)).db, modules, env);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A config key in dotted form from a config document; undefined when any part is missing. */
function configKey(config: Readonly<Record<string, unknown>>, key: string): unknown {
  let v: unknown = config;
  for (const part of key.split('.')) {
    if (!isTable(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** A probe context from a broker's rank, config, attribute lookup and environment. */
export function probeContext(rank: number, config: Readonly<Record<string, unknown>>, attr: (name: string) => string | undefined, env: NodeJS.ProcessEnv): ProbeContext {
  return { rank, conf: (k) => configKey(config, k), attr, env: (n) => env[n] };
}
