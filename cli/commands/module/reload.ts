/** flux module reload [-f] [--name=NAME] MODULE [ARGS...]: remove, then load again. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { loadModule } from './load';
import { last } from '../../getopt';
import { parseModuleArgs } from './group';
import { removeModule } from './remove';
import { RELOAD_USAGE, defaultName } from './group';

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
    await removeModule(h, this.name ?? defaultName(spec), this.force);
    await loadModule(h, spec, this.name, words.slice(1));
    return 0;
  }
}
