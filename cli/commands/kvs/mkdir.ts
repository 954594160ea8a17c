/** flux kvs mkdir [-N ns] [-s] KEY...: empty directories. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsMkdirCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['mkdir'], 'Create a directory', '[-N ns] [-s] key [key...]', [opt.NAMESPACE, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF], [{ name: 'key', nargs: '+' }]);

  protected override whatFailed(): string {
    return this.commitCall();
  }

  /** every key is one op of one transaction (one kvs version) */
  protected async main(): Promise<number> {
    const keys = this.args.operands.map((raw) => this.key(raw));
    const answer = await this.rpcOrFail('kvs.commit', { ops: keys.map((key) => ({ op: 'mkdir', key })) }, keys.length === 1 ? keys[0]! : this.commitCall());
    this.printSeq(answer);
    return 0;
  }
}
