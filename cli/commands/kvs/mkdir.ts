/** flux kvs mkdir [-N ns] KEY...: empty directories. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsMkdirCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['mkdir'], 'Create a directory', '[-N ns] [-O|-b|-s] key [key...]', [opt.NAMESPACE], [{ name: 'key', nargs: '+' }]);

  protected async main(): Promise<number> {
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      await this.rpcOrFail('kvs.mkdir', { key }, key);
    }
    return 0;
  }
}
