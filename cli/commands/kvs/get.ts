/** flux kvs get [-N ns] [-r] [-w [-W] [-u] [-c COUNT]] KEY...: print values (or watch one). */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { valueText } from './format';

const UNIQ = { name: 'uniq', short: 'u', description: 'With --watch, print a value only when it differs from the last one' };

export class KvsGetCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['get'],
    'Retrieve value(s) for key(s)',
    '[-N ns] [-r|-t] [-a treeobj] [-l] [-W] [-w] [-u] [-c COUNT] key [key...]',
    [opt.NAMESPACE, opt.RAW, opt.WATCH, opt.WAITCREATE, UNIQ, opt.COUNT],
    [{ name: 'key', nargs: '+' }],
  );

  protected async main(): Promise<number> {
    const raw = this.args.has('raw');
    const print = (v: unknown) => {
      const t = valueText(v);
      process.stdout.write(raw || t.endsWith('\n') ? t : t + '\n');
    };
    if (!this.args.has('watch')) {
      for (const k of this.args.operands) print(await this.lookup(this.key(k)));
      return 0;
    }
    const count = this.intOpt('count', 0);
    const key = this.key(this.args.operands[0]!);
    if (!this.args.has('waitcreate')) await this.lookup(key);
    let n = 0;
    let last: string | undefined;
    // --count reached: the watch is cancelled (kvs frees it) before the command exits
    const stream = this.h.rpcStream('kvs.watch', { key, values: true, waitcreate: true }, (r) => {
      const v = (r as { value?: unknown }).value;
      if (v === undefined) return;
      const t = valueText(v);
      if (this.args.has('uniq') && t === last) return;
      last = t;
      print(v);
      if (count > 0 && ++n >= count) void stream.cancel();
    });
    await stream;
    await stream.cancel();
    return 0;
  }
}
