/** flux kvs readlink [-N ns] KEY...: the key each link refers to. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsReadlinkCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['readlink'], 'Retrieve the key a link refers to', '[-N ns] [-a treeobj] [ -o | -k ] key [key...]', [opt.NAMESPACE], [{ name: 'key', nargs: '+' }]);

  protected async main(): Promise<number> {
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      const r = (await this.rpcOrFail('kvs.readlink', { key }, key)) as { target: string };
      process.stdout.write(`${r.target}\n`);
    }
    return 0;
  }
}
