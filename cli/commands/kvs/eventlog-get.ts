/** flux kvs eventlog get [-N ns] [-w [-W] [-c COUNT]] [-u|-H] KEY: print an eventlog (or follow it). */
import * as opt from './options';
import { KvsCommand } from './kvs-command';
import { entryFormatter, type Entry } from './format';
import { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';

const WATCH = { name: 'watch', short: 'w', description: 'Print the entries, then each new one, until --count entries or interrupted' };

export class KvsEventlogGetCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['eventlog', 'get'],
    'Get eventlog',
    '[-N ns] [-w] [-c COUNT] [-W] [-u] [-H] key',
    [opt.NAMESPACE, WATCH, opt.WAITCREATE, opt.COUNT, opt.UNFORMATTED, opt.HUMAN],
    [{ name: 'key', nargs: '1' }],
  );

  protected override whatFailed(): string {
    return 'flux_kvs_lookup_get';
  }

  protected async main(): Promise<number> {
    const key = this.key(this.args.operands[0]!);
    const fmt = entryFormatter(this.args.has('unformatted'), this.args.has('human'));
    if (!this.args.has('watch')) {
      let text: unknown;
      try {
        text = (await this.h.rpc<{ value: unknown }>('kvs.get', { key })).value;
      } catch (e) {
        if (e instanceof FluxError) this.fail(`flux_kvs_lookup_get: ${strerror(e.errno)}`);
        throw e;
      }
      if (typeof text !== 'string') this.fail(`${key}: Invalid argument`);
      const out = text
        .split('\n')
        .filter(Boolean)
        .map((l) => fmt(JSON.parse(l) as Entry) + '\n');
      process.stdout.write(out.join(''));
      return 0;
    }
    const count = this.intOpt('count', 0);
    let n = 0;
    await this.follow(key, this.args.has('waitcreate'), (e) => {
      process.stdout.write(fmt(e) + '\n');
      return !(count > 0 && ++n >= count);
    }).catch((e: FluxError) => {
      this.unsupported(e, key);
      this.fail(`${key}: ${strerror(e.errno)}`);
    });
    return 0;
  }
}
