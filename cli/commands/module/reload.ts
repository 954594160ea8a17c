/**
 * flux module reload [-f] [--name=NAME] MODULE [ARGS...]: replace a module in one
 * request (module.reload): one that fails to load leaves the old one running.
 */
import { FluxCommand } from '../../base-command';
import { canonicalModulePath, execOptions, execRefusal } from './load';
import type { CommandSpec } from '../../options';

export class ModuleReloadCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'reload'],
    grammar: 'getopt',
    prog: 'flux-module reload',
    summary: 'Reload module',
    docLine: true,
    usage: '[OPTIONS] module',
    options: [
      { name: 'name', arg: 'NAME', description: 'Override default module name' },
      { name: 'force', short: 'f', description: 'Ignore nonexistent modules' },
      { name: 'cancel', description: "Take the old module down without waiting for its stop()" },
      ...execOptions,
    ],
    operands: [
      { name: 'module', nargs: '1' },
      { name: 'args', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const [spec, ...args] = this.args.operands as [string, ...string[]];
    const name = this.args.str('name');
    const refused = execRefusal((o) => this.args.has(o));
    if (refused !== undefined) this.fail(refused);
    const h = await this.connect();
    await h.rpc('module.reload', { path: canonicalModulePath(spec), ...(name !== undefined ? { name } : {}), args, force: this.args.has('force'), cancel: this.args.has('cancel') });
    return 0;
  }
}
