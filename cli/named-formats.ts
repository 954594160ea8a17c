/**
 * The -o/--format option of Flux's Python listing tools (flux jobs, flux
 * resource list|status|drain), as flux.util's UtilConfig reads it: a value
 * holding `{` is a format string; any other value names a configured format.
 * Two names are special: `help` lists the formats, `get-config=NAME` prints
 * one as the TOML that would configure it. `default` may be replaced by the
 * tool's FLUX_<TOOL>[_<SUB>]_FORMAT_DEFAULT, itself a format or a name.
 *
 * Sites and users add formats in config files, as Flux's do: TOOL.json and
 * TOOL.toml (TOOL.yaml is refused: flux-ts reads no YAML) in a `flux`
 * directory of each of $XDG_CONFIG_DIRS (default /etc/xdg), then of
 * $XDG_CONFIG_HOME (default ~/.config), a later file overriding an earlier
 * one; the formats are a `formats` table, in the sub-command's table for a
 * tool with sub-commands (`[list.formats.NAME]`), each with a `format` and an
 * optional `description`. A built-in format may not be redefined.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';

export interface NamedFormat {
  /** optional in a config file: `-o help` then shows the name alone */
  readonly description?: string;
  readonly format: string;
}

export interface FormatSet {
  /** the tool as its config file and `-o help` name it: flux-jobs, flux-resource */
  readonly tool: string;
  /** the sub-command's table in that config (flux-resource list, status, drain) */
  readonly subtable?: string;
  /** the formats, in the order `-o help` lists them */
  readonly formats: Readonly<Record<string, NamedFormat>>;
}

/** What -o asks for: a format string to use, text to print (exit 0), or an error (exit 1). */
export type FormatChoice = { format: string } | { print: string } | { error: string };

/** FLUX_JOBS_FORMAT_DEFAULT, FLUX_RESOURCE_LIST_FORMAT_DEFAULT ... */
export function defaultEnvName(set: FormatSet): string {
  const up = (s: string) => s.toUpperCase().replace(/-/g, '_');
  return `${up(set.tool)}${set.subtable ? `_${up(set.subtable)}` : ''}_FORMAT_DEFAULT`;
}

function lookup(set: FormatSet, name: string): NamedFormat | undefined {
  return Object.prototype.hasOwnProperty.call(set.formats, name) ? set.formats[name] : undefined;
}

function noSuch(name: string): { error: string } {
  return { error: `--format: No such format ${name}` };
}

/** `-o help`: a blank line, the title and a blank line, then `  NAME         description` per format. */
function helpText(set: FormatSet): string {
  const lines = Object.entries(set.formats).map(([name, f]) => `  ${name.padEnd(12)}${f.description !== undefined ? ` ${f.description}` : ''}\n`);
  return `\nConfigured ${set.tool} output formats:\n\n${lines.join('')}`;
}

/** `-o get-config=NAME`: the TOML table of one format. */
function configText(set: FormatSet, name: string, f: NamedFormat): string {
  const table = set.subtable ? `${set.subtable}.formats.${name}` : `formats.${name}`;
  const description = f.description !== undefined ? `description = "${f.description}"\n` : '';
  return `[${table}]\n${description}format = "${f.format}"\n`;
}

/** The `flux` config directories, lowest precedence first: $XDG_CONFIG_DIRS last to first, then $XDG_CONFIG_HOME. */
function configDirs(env: NodeJS.ProcessEnv): string[] {
  const home = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config');
  const dirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':');
  return [home, ...dirs].reverse().map((d) => path.join(d, 'flux'));
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One config file's formats for set, checked as Flux checks them; an error names the file. */
function fileFormats(file: string, set: FormatSet): { formats: Record<string, NamedFormat> } | { error: string } {
  let conf: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.yaml')) return { error: `${file}: YAML config files are not supported by flux-ts (use ${set.tool}.toml or ${set.tool}.json)` };
    conf = file.endsWith('.json') ? JSON.parse(text) : parseToml(text);
  } catch (e) {
    return { error: `${file}: ${(e as Error).message.split('\n')[0]}` };
  }
  const scope = set.subtable !== undefined && isTable(conf) ? conf[set.subtable] : conf;
  if (!isTable(scope) || scope['formats'] === undefined) return { formats: {} };
  const formats = scope['formats'];
  if (!isTable(formats)) return { error: `${file}: the 'formats' key must be a mapping` };
  const out: Record<string, NamedFormat> = {};
  for (const [name, entry] of Object.entries(formats)) {
    if (Object.prototype.hasOwnProperty.call(set.formats, name)) return { error: `${file}: override of builtin format '${name}' not permitted` };
    if (!isTable(entry)) return { error: `${file}: 'formats.${name}' must be a mapping` };
    if (!('format' in entry)) return { error: `${file}: formats.${name}: required key 'format' missing` };
    if (typeof entry['format'] !== 'string') return { error: `${file}: formats.${name}: 'format' key must be a string` };
    const description = entry['description'];
    out[name] = { format: entry['format'], ...(description !== undefined ? { description: String(description) } : {}) };
  }
  return { formats: out };
}

/** set with the formats of the config files added (built-ins first, as `-o help` lists them), or the first error. */
export function withConfigFormats(set: FormatSet, env: NodeJS.ProcessEnv = process.env): FormatSet | { error: string } {
  const added: Record<string, NamedFormat> = {};
  for (const dir of configDirs(env)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    const files = names.filter((n) => ['.json', '.toml', '.yaml'].some((ext) => n === `${set.tool}${ext}`)).sort();
    for (const f of files) {
      const r = fileFormats(path.join(dir, f), set);
      if ('error' in r) return r;
      // a name in a later file overrides the earlier one's keys (a description it lacks is kept)
      for (const [name, nf] of Object.entries(r.formats)) added[name] = { ...added[name], ...nf };
    }
  }
  return Object.keys(added).length === 0 ? set : { ...set, formats: { ...set.formats, ...added } };
}

/** Read an -o value (undefined: not given, Flux's `default`). */
export function chooseFormat(value: string | undefined, builtin: FormatSet, env: NodeJS.ProcessEnv = process.env): FormatChoice {
  const set = withConfigFormats(builtin, env);
  if ('error' in set) return { error: set.error };
  let name = value ?? 'default';
  if (name.includes('{')) return { format: name };
  if (name === 'help') return { print: helpText(set) };
  if (name.startsWith('get-config=')) {
    const want = name.slice('get-config='.length);
    const f = lookup(set, want);
    return f ? { print: configText(set, want, f) } : noSuch(want);
  }
  if (name === 'default') {
    const dflt = env[defaultEnvName(set)];
    if (dflt !== undefined) {
      if (dflt.includes('{')) return { format: dflt };
      name = dflt;
    }
  }
  const f = lookup(set, name);
  return f ? { format: f.format } : noSuch(name);
}
