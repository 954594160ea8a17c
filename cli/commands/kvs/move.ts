/** flux kvs move SRC DST: copy (copy.ts), then unlink SRC. */
import * as opt from './options';
import { KvsCopyCommand } from './copy';

export class KvsMoveCommand extends KvsCopyCommand {
  static override spec = opt.kvsSpec(
    ['move'],
    'Move source key to destination key',
    '[-S src-ns] [-D dst-ns] source destination',
    [opt.SRC_NS, opt.DST_NS],
    [
      { name: 'source', nargs: '1' },
      { name: 'destination', nargs: '1' },
    ],
  );

  protected override readonly removeSource = true;
}
