/** flux kvs mkdir [-N ns] [-s] KEY...: empty directories. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsMkdirCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['mkdir'], 'Create a directory', '[-N ns] [-s] key [key...]', [opt.NAMESPACE, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF], [{ name: 'key', nargs: '+' }]);

  protected override whatFailed(): string {
    return this.commitCall();
  }

  protected async main(): Promise<number> {
    let last: unknown = {};
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      last = await this.rpcOrFail('kvs.mkdir', { key }, key);
    }
    this.printSeq(last);
    return 0;
  }
}
