/** flux kvs version [-N ns]: the store's version (its root sequence number, modules/kvs/version.ts). */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

export class KvsVersionCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['version'], 'Display current KVS version', '[-N ns]', [opt.NAMESPACE], []);

  protected override whatFailed(): string {
    return 'flux_kvs_get_version';
  }

  protected async main(): Promise<number> {
    const r = (await this.rpcOrFail('kvs.getroot', {}, this.whatFailed())) as { rootseq: number };
    process.stdout.write(`${r.rootseq}\n`);
    return 0;
  }
}
