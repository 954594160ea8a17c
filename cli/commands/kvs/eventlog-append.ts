/** flux kvs eventlog append [-N ns] [-t SECONDS] KEY NAME [CONTEXT...]: add an entry. */
import * as opt from './options';
import { CommandExit } from '../../base-command';
import { KvsCommand } from './kvs-command';
import type { Entry } from './format';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';
import { MAX_FRAME } from '../../../kernel/message/limits';

const TIMESTAMP = { name: 'timestamp', short: 't', arg: 'SECONDS', description: 'Specify timestamp in seconds since epoch' };

export class KvsEventlogAppendCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['eventlog', 'append'],
    'Append to eventlog',
    '[-N ns] [-t SECONDS] key name [context ...]',
    [opt.NAMESPACE, TIMESTAMP],
    [
      { name: 'key', nargs: '1' },
      { name: 'name', nargs: '1' },
      { name: 'context', nargs: '*' },
    ],
  );

  protected override whatFailed(): string {
    return 'flux_kvs_commit';
  }

  protected async main(): Promise<number> {
    const [rawKey, name, ...ctx] = this.args.operands as [string, string, ...string[]];
    const key = this.key(rawKey);
    const ts = this.args.str('timestamp');
    if (ts !== undefined && !/^\d+(\.\d*)?$/.test(ts)) throw new CommandExit(1, "flux-kvs eventlog append: append: Option 'timestamp' requires a floating point argument");
    const now = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
    const entry: Entry = { timestamp: ts !== undefined ? Number(ts) : now, name };
    if (ctx.length > 0) {
      let c: unknown;
      try {
        c = JSON.parse(ctx.join(' '));
      } catch {
        c = undefined;
      }
      if (typeof c !== 'object' || c === null || Array.isArray(c)) this.fail('eventlog_entry_create: Invalid argument');
      entry.context = c as Record<string, unknown>;
    }
    try {
      await this.h.rpc('kvs.eventlog-append', { key, entries: [entry] });
    } catch (e) {
      if (e instanceof FluxError && e.errno === Errno.EMSGSIZE) this.fail(`${key}: entry is larger than a message may carry (${MAX_FRAME} bytes)`);
      if (e instanceof FluxError) this.fail(`${key}: ${e.message}`);
      throw e;
    }
    return 0;
  }
}
