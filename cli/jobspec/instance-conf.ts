/**
 * `flux batch/alloc --conf=CONF` (repeatable): the child instance's config,
 * built at submit time, in order, as Flux does: a multi-line string (TOML, or
 * JSON), `KEY=VAL` (VAL as JSON, else a string), a `.toml` or `.json` file,
 * or the NAME of a config under `$XDG_CONFIG_HOME/flux/config` (default
 * `~/.config/flux/config`), then each of `$XDG_CONFIG_DIRS` (default
 * `/etc/xdg`) + `/flux/config`, as NAME.toml or NAME.json. The result is the
 * job's `conf.json` (its file archive) and `-c{{tmpdir}}/conf.json` on the
 * brokers' command line: files are read now, and a later edit changes nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigLocated, type Config } from '../../lib/config/config';
import { SubmitOptionError } from './types';

/** the file archive's name for it, and how the brokers are told */
export const CONF_FILE = 'conf.json';
export const CONF_ARG = `-c{{tmpdir}}/${CONF_FILE}`;

/** The config the values build, in order; throws a SubmitOptionError naming the bad value. */
export function instanceConf(values: readonly string[], env: NodeJS.ProcessEnv = process.env): Config {
  const forms = values.map((v) => {
    if (v.includes('\n') || v.trim().startsWith('{') || v.includes('=') || /\.(toml|json)$/.test(v)) return v;
    return namedConf(v, env);
  });
  try {
    return loadConfigLocated(undefined, forms).config;
  } catch (e) {
    const shown = values.length === 1 ? `--conf=${values[0]}` : '--conf';
    throw new SubmitOptionError(`${shown}: ${(e as Error).message.replace(/^Config file error: /, '')}`);
  }
}

/** The file of a named config (NAME.toml, then NAME.json, in each directory of the search path). */
function namedConf(name: string, env: NodeJS.ProcessEnv): string {
  if (name === '' || name.includes('/')) throw new SubmitOptionError(`--conf=${name}: not KEY=VAL, a .toml or .json file, or the name of a config`);
  const home = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config');
  const dirs = [home, ...(env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter((d) => d !== '')].map((d) => path.join(d, 'flux', 'config'));
  for (const d of dirs) {
    for (const ext of ['.toml', '.json']) {
      const f = path.join(d, name + ext);
      if (fs.existsSync(f)) return f;
    }
  }
  throw new SubmitOptionError(`--conf=${name}: named config '${name}' not found (looked for ${name}.toml or ${name}.json in ${dirs.join(', ')})`);
}
