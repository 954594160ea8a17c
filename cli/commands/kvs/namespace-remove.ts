/**
 * flux kvs namespace remove NAME...: remove namespaces (what they held goes;
 * their watches and waits end). One that does not exist is no error, as in
 * Flux; the primary namespace cannot be removed (`Operation not supported`).
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { NAMESPACE_USAGE } from './namespace';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';

export class KvsNamespaceRemoveCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['namespace', 'remove'], 'Remove a KVS namespace', NAMESPACE_USAGE[2]![1], [], [{ name: 'name', nargs: '+' }]);

  protected async main(): Promise<number> {
    for (const name of this.args.operands) {
      try {
        await this.h.rpc('kvs.namespace-remove', { namespace: name });
      } catch (e) {
        if (e instanceof FluxError) this.fail(`${name}: ${strerror(e.errno)}`);
        throw e;
      }
    }
    return 0;
  }
}
