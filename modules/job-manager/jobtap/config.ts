/**
 * `[job-manager] plugins = [ { load = "NAME|PATH", conf = { ... } }, ... ]`:
 * the jobtap plugins an instance loads at start, in order. An entry may
 * also (or instead) `remove` plugins by name, glob or `all` (Flux's jobtap
 * directives: the remove before the load), e.g. to replace a builtin:
 * `{ remove = ".priority-default", load = "multi-factor" }`. Each entry is
 * checked with the rest of the config (file:line on a bad one); a plugin that
 * cannot be found or refuses its conf fails the job-manager's start.
 */
import type { ConfigSpec } from '../../../kernel/api';

type Obj = Record<string, unknown>;

export interface PluginEntry {
  load?: string;
  conf: Obj;
  /** a name, glob or `all`: removed before the load */
  remove?: string;
}

const isTable = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkEntry(v: unknown): string | undefined {
  if (!isTable(v)) return 'must be a table { load = "NAME|PATH", conf = { ... } } or { remove = "NAME|GLOB|all" }';
  for (const k of Object.keys(v)) if (k !== 'load' && k !== 'conf' && k !== 'remove') return `unknown key '${k}' (a plugin entry takes load, conf and remove)`;
  if (v['remove'] !== undefined && (typeof v['remove'] !== 'string' || v['remove'].length === 0)) return "'remove' (a plugin's name, a glob or all) must be a string";
  if (v['load'] === undefined && v['remove'] !== undefined) return v['conf'] !== undefined ? "'conf' needs a 'load'" : undefined;
  if (typeof v['load'] !== 'string' || v['load'].length === 0) return "'load' (the plugin's name or path) is required and must be a string";
  if (v['conf'] !== undefined && !isTable(v['conf'])) return "'conf' must be a table";
  return undefined;
}

export const pluginsConfigSpec: ConfigSpec = {
  kind: 'tables',
  item: { kind: 'custom', what: 'a plugin entry { load = "NAME|PATH", conf = { ... }, remove = "NAME|GLOB|all" }', check: checkEntry },
};

/** The entries from the (already checked) config. */
export function pluginEntries(config: Readonly<Obj>): PluginEntry[] {
  const jm = config['job-manager'];
  const list = isTable(jm) && Array.isArray(jm['plugins']) ? (jm['plugins'] as unknown[]) : [];
  return list.filter(isTable).map((e) => ({
    load: typeof e['load'] === 'string' ? e['load'] : undefined,
    conf: isTable(e['conf']) ? e['conf'] : {},
    remove: typeof e['remove'] === 'string' ? e['remove'] : undefined,
  }));
}
