/** flux kvs link [-N ns] [-T ns] TARGET LINKNAME: a new name for a key. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const TARGET_NS = { name: 'target-namespace', short: 'T', arg: 'NAME', description: 'Namespace of the target (flux-ts has only "primary")' };

export class KvsLinkCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['link'],
    'Create a new name for target',
    '[-N ns] [-T ns] [-O|-b|-s] target linkname',
    [opt.NAMESPACE, TARGET_NS],
    [
      { name: 'target', nargs: '1' },
      { name: 'linkname', nargs: '1' },
    ],
  );

  protected async main(): Promise<number> {
    const target = this.key(this.args.operands[0]!);
    const key = this.key(this.args.operands[1]!);
    await this.rpcOrFail('kvs.link', { key, target }, key);
    return 0;
  }
}
