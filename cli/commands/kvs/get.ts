/** flux kvs get [-N ns] [-r|-t] [-l] [-w [-W] [-u|-A] [-f] [-c COUNT]] KEY...: print values (or watch one). */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { valueText } from './format';
import { symlinkTreeobj, valTreeobj } from './treeobj';
import { Errno, strerror } from '../../../lib/errno';

const UNIQ = { name: 'uniq', short: 'u', description: 'With --watch, print a value only when it differs from the last one' };
const APPEND = {
  name: 'append',
  short: 'A',
  description: 'With --watch, print only what is appended to the value (an overwrite ends the watch: Invalid argument)',
};
const FULL = {
  name: 'full',
  short: 'f',
  description: 'With --watch, look the key up after every change, so a directory above it replaced or removed is noticed too',
};
const TREEOBJ = { name: 'treeobj', short: 't', description: 'Print the RFC 11 treeobj of each key (a val, or a symlink for a link)' };
const LABEL = { name: 'label', short: 'l', description: 'Print key= before value' };

export class KvsGetCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['get'],
    'Retrieve value(s) for key(s)',
    '[-N ns] [-r|-t] [-l] [-W] [-w] [-u] [-A] [-f] [-c COUNT] key [key...]',
    [opt.NAMESPACE, opt.RAW, TREEOBJ, LABEL, opt.AT, opt.WATCH, opt.WAITCREATE, UNIQ, APPEND, FULL, opt.COUNT],
    [{ name: 'key', nargs: '+' }],
  );

  protected async main(): Promise<number> {
    const raw = this.args.has('raw') && !this.args.has('treeobj');
    const print = (key: string, v: unknown, text = this.args.has('treeobj') ? valTreeobj(v) : valueText(v)) => {
      const label = this.args.has('label') ? `${key}=` : '';
      process.stdout.write(label + (raw || text.endsWith('\n') ? text : text + '\n'));
    };
    if (!this.args.has('watch')) {
      for (const k of this.args.operands) {
        const key = this.key(k);
        if (this.args.has('treeobj')) {
          const kind = await this.kind(key);
          if (kind === 'link') {
            print(key, undefined, symlinkTreeobj(((await this.rpcOrFail('kvs.readlink', { key }, key)) as { target: string }).target));
            continue;
          }
          if (kind === 'dir') this.fail(`${key}: flux-ts has no content store, so a directory has no treeobj (dirref)`);
        }
        print(key, await this.lookup(key));
      }
      return 0;
    }
    const count = this.intOpt('count', 0);
    const key = this.key(this.args.operands[0]!);
    if (!this.args.has('waitcreate')) await this.lookup(key);
    const append = this.args.has('append');
    let n = 0;
    let last: string | undefined;
    /** --append: the value was overwritten, not appended to (Flux's watch fails with EINVAL) */
    let overwritten = false;
    // --count reached: the watch is cancelled (kvs frees it) before the command exits
    const full = this.args.has('full') ? { full: true } : {};
    const stream = this.h.rpcStream('kvs.watch', { key, values: true, waitcreate: true, ...full }, (r) => {
      const v = (r as { value?: unknown }).value;
      if (v === undefined || overwritten) return;
      const t = valueText(v);
      if (append && last !== undefined) {
        // as Flux's FLUX_KVS_WATCH_APPEND: each later value must extend the last, and only the new part is printed
        if (t.length <= last.length || !t.startsWith(last)) {
          overwritten = true;
          void stream.cancel();
          return;
        }
        const added = t.slice(last.length);
        last = t;
        print(key, added, added);
      } else {
        if (this.args.has('uniq') && t === last) return;
        last = t;
        print(key, v);
      }
      if (count > 0 && ++n >= count) void stream.cancel();
    });
    await stream.then(undefined, (e: unknown) => {
      this.unsupported(e, key);
      throw e;
    });
    await stream.cancel();
    if (overwritten) this.fail(`${key}: ${strerror(Errno.EINVAL)}`);
    return 0;
  }
}
