/** flux kvs wait [-N ns] VERSION: block until the store's version reaches VERSION. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsWaitCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['wait'], 'Block until the KVS reaches version', '[-N ns] version', [opt.NAMESPACE], [{ name: 'version', nargs: '1' }]);

  protected override whatFailed(): string {
    return 'flux_kvs_wait_version';
  }

  protected async main(): Promise<number> {
    const v = this.args.operands[0]!;
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) this.fail(`wait: ${v}: the version must be a non-negative integer`);
    await this.rpcOrFail('kvs.wait-version', { version: Number(v) }, this.whatFailed());
    return 0;
  }
}
