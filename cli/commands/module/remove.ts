/** flux module remove [-f] NAME: unload a module from the local broker. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import type { Client } from '../../api/client';
import { FluxError } from '../../../kernel/api/errors';
import { Errno } from '../../../kernel/api/errno';
import { REMOVE_USAGE } from './group';

/** Send module.remove; with force, a module that is not loaded is fine. */
export async function removeModule(h: Client, name: string, force: boolean): Promise<void> {
  try {
    await h.rpc('module.remove', { name });
  } catch (e) {
    if (force && e instanceof FluxError && e.errno === Errno.ENOENT) return;
    throw e;
  }
}

export class ModuleRemoveCommand extends FluxCommand {
  static override paths = [['module', 'remove']];
  static override prog = 'flux-module';
  static override usageLine = REMOVE_USAGE;
  static override usage = Command.Usage({ description: 'Unload a module from the local broker' });
  force = Option.Boolean('-f,--force', false, { description: 'Ignore a module that is not loaded' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(1, REMOVE_USAGE);
    const h = await this.connect();
    await removeModule(h, this.args[0]!, this.force);
    return 0;
  }
}
