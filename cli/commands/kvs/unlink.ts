/** flux kvs unlink [-N ns] [-s] [-R] [-f] KEY...: remove keys. */
import * as opt from './options';
import { KvsCommand } from './kvs-command';

const FORCE = { name: 'force', short: 'f', description: 'Ignore keys that do not exist' };

export class KvsUnlinkCommand extends KvsCommand {
  static override spec = opt.kvsSpec(['unlink'], 'Remove key', '[-N ns] [-s] [-R] [-f] key [key...]', [opt.NAMESPACE, opt.SEQUENCE, opt.TREEOBJ_ROOT, opt.BLOBREF, opt.RECURSIVE, FORCE], [{ name: 'key', nargs: '+' }]);

  protected override whatFailed(key: string): string {
    return `cannot unlink '${key}'`;
  }

  protected async main(): Promise<number> {
    let last: unknown = {};
    for (const raw of this.args.operands) {
      const key = this.key(raw);
      const isDir = await this.isDir(key);
      if (isDir && !this.args.has('recursive') && (await this.listDir(key)).length > 0) this.fail(`cannot unlink '${key}': Directory not empty`);
      const r = await this.h.rpc<{ count: number }>('kvs.unlink', { key, recursive: isDir });
      if (r.count === 0 && !this.args.has('force')) this.fail(`cannot unlink '${key}': No such file or directory`);
      last = r;
    }
    this.printSeq(last);
    return 0;
  }
}
