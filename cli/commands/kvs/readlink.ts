/** flux kvs readlink [-N ns] [-o|-k] KEY...: the key each link refers to. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const NS_ONLY = { name: 'namespace-only', short: 'o', description: 'Output only the namespace a link points to (flux-ts links have none: nothing is printed)' };
const KEY_ONLY = { name: 'key-only', short: 'k', description: 'Output only the key a link points to' };

export class KvsReadlinkCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['readlink'], 'Retrieve the key a link refers to', '[-N ns] [ -o | -k ] key [key...]', [opt.NAMESPACE, opt.AT, NS_ONLY, KEY_ONLY], [{ name: 'key', nargs: '+' }]);

  protected async main(): Promise<number> {
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      const r = (await this.rpcOrFail('kvs.readlink', { key }, key)) as { target: string };
      // flux-ts links never name a namespace: -o has nothing to print, -k and plain print the key
      if (!this.args.has('namespace-only')) process.stdout.write(`${r.target}\n`);
    }
    return 0;
  }
}
