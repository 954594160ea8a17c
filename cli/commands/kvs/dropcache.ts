/**
 * flux kvs dropcache [--all]: drop the kvs module's cache. flux-ts's only one
 * is on rank 0 (the other ranks forward every request and hold nothing): the
 * unpacked copies of packed directories kept after reads. --all is the same.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const ALL = { name: 'all', description: 'Drop the cache on every rank (in flux-ts only rank 0 has one)' };

export class KvsDropcacheCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['dropcache'], 'Tell KVS to drop its cache', '[--all]', [ALL], []);

  protected async main(): Promise<number> {
    await this.rpcOrFail('kvs.dropcache', {}, 'dropcache');
    return 0;
  }
}
