/**
 * flux module reload [-f] [--name=NAME] MODULE [ARGS...]: replace a module in one
 * request (module.reload): one that fails to load leaves the old one running.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { canonicalModulePath } from './load';
import { last } from '../../getopt';
import { parseModuleArgs } from './group';
import { RELOAD_USAGE } from './group';

export class ModuleReloadCommand extends FluxCommand {
  static override paths = [['module', 'reload']];
  static override prog = 'flux-module';
  static override usageLine = RELOAD_USAGE;
  static override usage = Command.Usage({ description: 'Unload and load a module again' });
  force = false;
  name: string | undefined;
  // getopt style: options end at MODULE; what follows is the module's arguments
  rest = Option.Proxy();

  async run(): Promise<number> {
    const p = parseModuleArgs(this.rest, true);
    const words = p.positionals;
    this.name = last(p, 'name');
    if (words.length === 0) throw new CommandExit(1, RELOAD_USAGE);
    this.force = p.opts.has('force');
    const spec = words[0]!;
    const h = await this.connect();
    const name = this.name;
    await h.rpc('module.reload', { path: canonicalModulePath(spec), ...(name !== undefined ? { name } : {}), args: words.slice(1), force: this.force });
    return 0;
  }
}
