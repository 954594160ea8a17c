/** flux kvs move SRC DST: copy (copy.ts), then unlink SRC. */
import * as opt from './options';
import { KvsCopyCommand } from './copy';

export class KvsMoveCommand extends KvsCopyCommand {
  static override spec = opt.copySpec('move', 'Move source key to destination key');

  protected override readonly removeSource = true;
}
