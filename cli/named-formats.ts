/**
 * The -o/--format option of Flux's Python listing tools (flux jobs, flux
 * resource list|status|drain), as flux.util's UtilConfig reads it: a value
 * holding `{` is a format string; any other value names a configured format.
 * Two names are special: `help` lists the formats, `get-config=NAME` prints
 * one as the TOML that would configure it. `default` may be replaced by the
 * tool's FLUX_<TOOL>[_<SUB>]_FORMAT_DEFAULT, itself a format or a name.
 */

export interface NamedFormat {
  readonly description: string;
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
  const lines = Object.entries(set.formats).map(([name, f]) => `  ${name.padEnd(12)} ${f.description}\n`);
  return `\nConfigured ${set.tool} output formats:\n\n${lines.join('')}`;
}

/** `-o get-config=NAME`: the TOML table of one format. */
function configText(set: FormatSet, name: string, f: NamedFormat): string {
  const table = set.subtable ? `${set.subtable}.formats.${name}` : `formats.${name}`;
  return `[${table}]\ndescription = "${f.description}"\nformat = "${f.format}"\n`;
}

/** Read an -o value (undefined: not given, Flux's `default`). */
export function chooseFormat(value: string | undefined, set: FormatSet, env: NodeJS.ProcessEnv = process.env): FormatChoice {
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
