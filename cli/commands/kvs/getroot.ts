/**
 * flux kvs getroot [-N ns] -s|-o: the store's version or owner. Flux's
 * default, the root treeobj (a dirref), and -b (its blobref) name blobs in a
 * content store: flux-ts has none, and refuses them in one line.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const SEQ = { name: 'sequence', short: 's', description: 'Show sequence number (the store version)' };
const OWNER = { name: 'owner', short: 'o', description: 'Show owner' };

export class KvsGetrootCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['getroot'], 'Get KVS root sequence number or owner', '[-N ns] -s | -o', [opt.NAMESPACE, SEQ, OWNER, opt.BLOBREF], []);

  protected override whatFailed(): string {
    return this.args.has('owner') ? 'flux_kvs_getroot_get_owner' : 'flux_kvs_getroot_get_sequence';
  }

  protected async main(): Promise<number> {
    if (!this.args.has('sequence') && !this.args.has('owner')) this.fail('getroot: flux-ts has no content store, so no root treeobj: use -s (sequence) or -o (owner)');
    const r = (await this.rpcOrFail('kvs.getroot', {}, this.whatFailed())) as { rootseq: number; owner: number };
    process.stdout.write(`${this.args.has('owner') ? r.owner : r.rootseq}\n`);
    return 0;
  }
}
