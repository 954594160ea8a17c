/**
 * flux config builtin NAME: a compiled-in path, as Flux's prints them, for
 * the ones flux-ts has (where its modules, plugins and manual pages are);
 * the rest of Flux's names are refused saying what flux-ts has instead.
 */
import * as path from 'node:path';
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { PACKAGE_ROOT } from '../../package-info';
import { MAN_DIR } from '../../help/manpath';

const DIST = path.join(PACKAGE_ROOT, 'dist');

/** Flux's names flux-ts has a path for */
const PATHS: Readonly<Record<string, string>> = {
  module_path: path.join(DIST, 'modules'),
  jobtap_pluginpath: path.join(DIST, 'plugins', 'jobtap'),
  shell_pluginpath: path.join(DIST, 'plugins', 'shell'),
  man_path: MAN_DIR,
};

/** Flux's names without one here, and why */
const NONE: Readonly<Record<string, string>> = {
  rc1_path: 'flux-ts has no rc1 script: rc1 loads the module table (`flux modprobe rc1`, which the broker runs itself; broker.rc1_path names another)',
  rc3_path: 'flux-ts has no rc3 script: rc3 unloads the modules (`flux modprobe rc3`, which the broker runs itself; broker.rc3_path names another)',
  shell_path: 'the job shell runs inside the broker: there is no shell program',
  shell_initrc: 'the job shell reads no Lua initrc (its plugins are JavaScript: shell_pluginpath)',
  exec_path: 'the commands are built in; flux-CMD programs are looked up on FLUX_EXEC_PATH only',
  connector_path: 'the local connector is built into the broker',
  pmi_library_path: "flux-ts ships no libpmi.so: the job shell serves PMI-1 on the task's PMI_FD",
  upmi_pluginpath: 'the broker bootstraps from PMI-1, PMI-2 or a config without plugins',
  python_path: 'flux-ts has no Python bindings (its client API is JavaScript: require("flux-ts"))',
  lua_path_add: 'flux-ts runs no Lua',
  lua_cpath_add: 'flux-ts runs no Lua',
  cmdhelp_pattern: 'flux help lists the built-in commands from their specs',
  no_docs_path: 'the manual pages are built with the package (man_path)',
  confdir: 'flux-ts has no compiled-in configuration directory: give -c/--config-path or FLUX_CONF_DIR',
  libexecdir: 'flux-ts has no libexec directory: its helpers are in the package (dist/native)',
  datadir: 'flux-ts has no data directory',
};

export class ConfigBuiltinCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['config', 'builtin'],
    grammar: 'getopt',
    prog: 'flux-config builtin',
    summary: 'Print a compiled-in value',
    docLine: true,
    usage: 'NAME',
    options: [],
    operands: [{ name: 'NAME', nargs: '1' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const p = PATHS[name];
    if (p !== undefined) {
      process.stdout.write(p + '\n');
      return 0;
    }
    const why = NONE[name];
    if (why !== undefined) this.fail(`${name}: not in flux-ts: ${why}`);
    this.fail(`${name}: invalid builtin config key (flux-ts has ${Object.keys(PATHS).join(', ')})`);
  }
}
