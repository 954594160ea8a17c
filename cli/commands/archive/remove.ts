/** flux archive remove [-n NAME] [-f]: an archive's keys unlinked (flux-archive(1)). */
import type { CommandSpec } from '../../options';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';
import { ArchiveCommand, NAME, NO_FORCE_PRIMARY } from './archive-command';

export class ArchiveRemoveCommand extends ArchiveCommand {
  static override spec: CommandSpec = {
    path: ['archive', 'remove'],
    grammar: 'getopt',
    prog: 'flux-archive remove',
    summary: 'Remove a KVS file archive',
    docLine: true,
    usage: '[-n NAME] [-f]',
    options: [{ ...NAME, description: 'Remove archive NAME (default main)' }, NO_FORCE_PRIMARY, { name: 'force', short: 'f', description: 'Ignore a nonexistent archive' }],
    operands: [],
    freeOperands: true,
  };

  protected async main(): Promise<number> {
    if (this.args.operands.length > 0) this.usage();
    await this.open();
    try {
      if (!this.args.has('force') && (await this.getOptional(this.key)) === undefined) this.fail(`${this.key} does not exist`);
      await this.unlinkArchive();
    } catch (e) {
      if (e instanceof FluxError) this.fail(`unlink ${this.key},${this.blobsKey}: ${strerror(e.errno)}`);
      throw e;
    }
    return 0;
  }
}
