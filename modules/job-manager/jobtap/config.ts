/**
 * `[job-manager] plugins = [ { load = "NAME|PATH", conf = { ... } }, ... ]`:
 * the jobtap plugins an instance loads at start, in order. Each entry is
 * checked with the rest of the config (file:line on a bad one); a plugin that
 * cannot be found or refuses its conf fails the job-manager's start.
 */
import type { ConfigSpec } from '../../../kernel/api';

type Obj = Record<string, unknown>;

export interface PluginEntry {
  load: string;
  conf: Obj;
}

const isTable = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkEntry(v: unknown): string | undefined {
  if (!isTable(v)) return 'must be a table { load = "NAME|PATH", conf = { ... } }';
  for (const k of Object.keys(v)) if (k !== 'load' && k !== 'conf') return `unknown key '${k}' (a plugin entry takes load and conf)`;
  if (typeof v['load'] !== 'string' || v['load'].length === 0) return "'load' (the plugin's name or path) is required and must be a string";
  if (v['conf'] !== undefined && !isTable(v['conf'])) return "'conf' must be a table";
  return undefined;
}

export const pluginsConfigSpec: ConfigSpec = {
  kind: 'tables',
  item: { kind: 'custom', what: 'a plugin entry { load = "NAME|PATH", conf = { ... } }', check: checkEntry },
};

/** The entries from the (already checked) config. */
export function pluginEntries(config: Readonly<Obj>): PluginEntry[] {
  const jm = config['job-manager'];
  const list = isTable(jm) && Array.isArray(jm['plugins']) ? (jm['plugins'] as unknown[]) : [];
  return list.filter(isTable).map((e) => ({ load: String(e['load']), conf: isTable(e['conf']) ? e['conf'] : {} }));
}
