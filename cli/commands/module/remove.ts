/** flux module remove [-f] [--cancel] NAME: unload a module from the local broker. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { Client } from '../../api/client';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';

/** Send module.remove; with force, a module that is not loaded is fine. */
export async function removeModule(h: Client, name: string, force: boolean, cancel = false): Promise<void> {
  try {
    await h.rpc('module.remove', { name, cancel });
  } catch (e) {
    if (force && e instanceof FluxError && e.errno === Errno.ENOENT) return;
    throw e;
  }
}

export class ModuleRemoveCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'remove'],
    grammar: 'getopt',
    prog: 'flux-module remove',
    summary: 'Unload module',
    docLine: true,
    usage: '[OPTIONS] module',
    options: [
      { name: 'force', short: 'f', description: 'Ignore nonexistent modules' },
      { name: 'cancel', description: "Take the module down without waiting for its stop()" },
    ],
    operands: [{ name: 'module', nargs: '1' }],
  };

  async run(): Promise<number> {
    const h = await this.connect();
    await removeModule(h, this.args.operands[0]!, this.args.has('force'), this.args.has('cancel'));
    return 0;
  }
}
