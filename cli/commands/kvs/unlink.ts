/** flux kvs unlink [-N ns] [-s] [-R] [-f] KEY...: remove keys. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const FORCE = { name: 'force', short: 'f', description: 'Ignore keys that do not exist' };

export class KvsUnlinkCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['unlink'], 'Remove key', '[-N ns] [-s] [-R] [-f] key [key...]', [opt.NAMESPACE, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF, opt.RECURSIVE, FORCE], [{ name: 'key', nargs: '+' }]);

  protected override whatFailed(key: string): string {
    return `cannot unlink '${key}'`;
  }

  /** every key is checked first, then all are one transaction (one kvs version): a refused key removes none */
  protected async main(): Promise<number> {
    const ops: object[] = [];
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      const kind = await this.kind(key);
      if (kind === undefined) {
        if (this.args.has('force')) continue;
        this.fail(`cannot unlink '${key}': No such file or directory`);
      }
      const isDir = kind === 'dir';
      if (isDir && !this.args.has('recursive') && (await this.listDir(key)).length > 0) this.fail(`cannot unlink '${key}': Directory not empty`);
      ops.push({ op: 'unlink', key, recursive: isDir });
    }
    const answer = ops.length === 0 ? await this.h.rpc<{ rootseq: number }>('kvs.getroot', {}) : await this.rpcOrFail('kvs.commit', { ops }, this.whatFailed(this.args.operands[0] ?? ''));
    this.printSeq(answer);
    return 0;
  }
}
