/**
 * flux kvs namespace create [-o OWNER] NAME...: new namespaces, each a tree
 * and a version of its own, that the instance owner and OWNER (a uid; default
 * the instance owner) may use. In memory only: as in Flux, whose kvs
 * checkpoints only the primary namespace, they are gone after a restart.
 */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { NAMESPACE_USAGE } from './namespace';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';

const OWNER = { name: 'owner', short: 'o', arg: 'UID', description: 'Specify alternate namespace owner via userid' };
/** Flux's -r: a root reference names blobs in a content store, which flux-ts has not (refused: options.ts REFUSED) */
const ROOTREF = { name: 'rootref', short: 'r', arg: 'BLOBREF', hidden: true, description: 'not supported: flux-ts has no content store' };

/** Flux's FLUX_USERID_UNKNOWN: the instance owner */
const USERID_UNKNOWN = 0xffffffff;

export class KvsNamespaceCreateCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['namespace', 'create'], 'Create a KVS namespace', NAMESPACE_USAGE[0]![1], [OWNER, ROOTREF], [{ name: 'name', nargs: '+' }]);

  protected async main(): Promise<number> {
    const o = this.args.str('owner');
    let owner: number | undefined;
    if (o !== undefined) {
      if (!/^\d+$/.test(o) || Number(o) > USERID_UNKNOWN) this.fail('--owner requires an unsigned integer argument');
      owner = Number(o) === USERID_UNKNOWN ? undefined : Number(o);
    }
    for (const name of this.args.operands) {
      try {
        await this.h.rpc('kvs.namespace-create', { namespace: name, ...(owner === undefined ? {} : { owner }) });
      } catch (e) {
        if (e instanceof FluxError) this.fail(`${name}: ${strerror(e.errno)}`);
        throw e;
      }
    }
    return 0;
  }
}
