/** flux kvs namespace list: every namespace with its owner and flags, in Flux's columns. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';

interface Entry {
  namespace: string;
  owner: number;
  flags: number;
}

export class KvsNamespaceListCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['namespace', 'list'], 'List namespaces on local rank', '', [], []);

  protected async main(): Promise<number> {
    let list: Entry[];
    try {
      list = (await this.h.rpc<{ namespaces: Entry[] }>('kvs.namespace-list', {})).namespaces;
    } catch (e) {
      if (e instanceof FluxError) this.fail(`flux_rpc_get_unpack: ${strerror(e.errno)}`);
      throw e;
    }
    let out = 'NAMESPACE                                 OWNER      FLAGS\n';
    for (const n of list) out += `${n.namespace.padEnd(36)} ${String(n.owner).padStart(10)} 0x${n.flags.toString(16).toUpperCase().padStart(8, '0')}\n`;
    process.stdout.write(out);
    return 0;
  }
}
