/** flux kvs put [-N ns] [-r] [-A] KEY=VALUE...: store values. */
import * as fs from 'node:fs';
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { valueText } from './format';
import { FluxError } from '../../../lib/errors';

const APPEND = { name: 'append', short: 'A', description: 'Append the value to what the key holds' };

export class KvsPutCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['put'],
    'Store value(s) for key(s)',
    '[-N ns] [-O|-b|-s] [-r|-t] [-n] [-A] key=value [key=value...]',
    [opt.NAMESPACE, opt.RAW, APPEND],
    [{ name: 'key=value', nargs: '+' }],
  );

  protected async main(): Promise<number> {
    for (const arg of this.args.operands) {
      const eq = arg.indexOf('=');
      if (eq < 0) this.fail('put: you must specify a value as key=value');
      const key = this.key(arg.slice(0, eq));
      let value = arg.slice(eq + 1);
      if (this.args.has('raw') && value === '-') value = fs.readFileSync(0, 'utf8');
      if (this.args.has('append')) {
        try {
          value = valueText((await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value) + value;
        } catch {
          /* a new key */
        }
      }
      try {
        await this.h.rpc('kvs.put', { key, value });
      } catch (e) {
        if (e instanceof FluxError) this.fail(`${key}: ${e.message}`);
        throw e;
      }
    }
    return 0;
  }
}
