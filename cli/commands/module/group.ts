/**
 * `flux module` itself (no or an unknown sub-command) and what its
 * sub-commands share: usage texts, option parsing, and the load name a MODULE
 * argument gets (basename without extension; index.js -> its folder).
 */
import * as path from 'node:path';
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../../base-command';
import { GetoptError, getopt, type Parsed } from '../../getopt';

export const MODULE_USAGE =
  'Usage: flux-module COMMAND [OPTIONS]\n' +
  '  load     Load module\n' +
  '  reload   Reload module\n' +
  '  remove   Unload module\n' +
  '  list     List loaded modules\n' +
  '  stats    Display stats on module';

export const LOAD_USAGE = 'Usage: flux-module load [OPTIONS] module';
export const RELOAD_USAGE = 'Usage: flux-module reload [OPTIONS] module';
export const REMOVE_USAGE = 'Usage: flux-module remove [OPTIONS] module';
export const LIST_USAGE = 'Usage: flux-module list [OPTIONS]';
export const STATS_USAGE = 'Usage: flux-module stats [OPTIONS] module';

/** Default load name of a module argument (a name, or a path). */
export function defaultName(spec: string): string {
  if (!spec.includes('/')) return spec;
  const base = path.basename(spec.replace(/\/+$/, ''));
  if (/^index\.[cm]?js$/.test(base)) return path.basename(path.dirname(spec));
  return base.replace(/\.[cm]?js$/, '').replace(/\.so$/, '');
}

/** Options of load/reload (`--name`, reload's `-f`), stopping at MODULE. */
export function parseModuleArgs(argv: readonly string[], reload: boolean): Parsed {
  const specs = [{ long: 'name', arg: true }, ...(reload ? [{ long: 'force', short: 'f' }] : [])];
  try {
    return getopt(argv, specs, true);
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    const sub = reload ? 'reload' : 'load';
    throw new CommandExit(1, `flux-module ${sub}: ${e.message}\nTry \`flux-module ${sub} --help' for more information.`);
  }
}

/** `flux module` with no sub-command, or one that does not exist. */
export class ModuleCommand extends FluxCommand {
  static override paths = [['module']];
  static override prog = 'flux-module';
  static override usageLine = MODULE_USAGE;
  static override usage = Command.Usage({ description: 'Manage broker modules' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const what = this.args.length === 0 ? 'missing subcommand' : `Unknown subcommand: ${this.args[0]}`;
    throw new CommandExit(1, `flux-module: ${what}\n${MODULE_USAGE}`);
  }
}
