/** flux kvs link [-N ns] [-T ns] [-s] TARGET LINKNAME: a new name for a key. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const TARGET_NS = { name: 'target-namespace', short: 'T', arg: 'NAME', description: "Namespace of the target: only the link's own (flux-ts has no links to another namespace)" };

export class KvsLinkCommand extends KvsCommand {
  static override spec = {
    ...opt.kvsSpec(['link'], 'Create a new name for target', '[-N ns] [-T ns] [-s] target linkname', [opt.NAMESPACE, TARGET_NS, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF], [
      { name: 'target', nargs: '1' },
      { name: 'linkname', nargs: '1' },
    ]),
    // Flux's own line for a wrong operand count, not the usage
    freeOperands: true,
  };

  protected override whatFailed(): string {
    return this.commitCall();
  }

  protected async main(): Promise<number> {
    if (this.args.operands.length !== 2) this.fail('link: specify target and link_name');
    const tns = this.args.str('target-namespace');
    if (tns !== undefined && tns !== (this.ns ?? 'primary')) this.fail(`link: -T ${tns}: flux-ts has no links to another namespace`);
    const target = this.key(this.args.operands[0]!);
    const key = this.key(this.args.operands[1]!);
    this.printSeq(await this.rpcOrFail('kvs.link', { key, target }, key));
    return 0;
  }
}
