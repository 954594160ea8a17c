/**
 * flux kvs copy SRC DST: DST becomes what SRC is (a value, an eventlog with
 * its entries, a link, or a directory with everything below it). What DST
 * held goes. `flux kvs move` (move.ts) also unlinks SRC. Either is one kvs
 * transaction (kvs.commit): a failure leaves SRC and DST as they were.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsCopyCommand extends KvsCommand {
  static override spec = opt.copySpec('copy', 'Copy source key to destination key');

  /** move.ts: unlink the source in the same transaction */
  protected readonly removeSource: boolean = false;

  protected async main(): Promise<number> {
    const src = this.key(this.args.operands[0]!);
    const dst = this.key(this.args.operands[1]!);
    if (dst === src || dst.startsWith(src + '.')) this.fail(`${dst}: Invalid argument`);
    if ((await this.kind(src)) === undefined) this.fail(`${src}: No such file or directory`);
    const ops: object[] = [{ op: 'copy', src, dst }];
    if (this.removeSource) ops.push({ op: 'unlink', key: src, recursive: true });
    await this.rpcOrFail('kvs.commit', { ops }, dst);
    return 0;
  }
}
