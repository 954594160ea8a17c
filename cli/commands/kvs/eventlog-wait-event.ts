/** flux kvs eventlog wait-event [-N ns] [-t SECONDS] [-W] [-q|-v] [-u|-H] KEY EVENT: wait for an entry. */
import * as opt from './options';
import { CommandExit } from '../../base-command';
import { KvsCommand } from './kvs-command';
import { entryFormatter } from './format';
import type { FluxError } from '../../../lib/errors';
import { strerror } from '../../../lib/errno';

const TIMEOUT = { name: 'timeout', short: 't', arg: 'SECONDS', description: 'Give up after SECONDS' };
const QUIET = { name: 'quiet', short: 'q', description: 'Do not print the event' };
const VERBOSE = { name: 'verbose', short: 'v', description: 'Print every event up to the one waited for' };

export class KvsEventlogWaitEventCommand extends KvsCommand {
  static override spec = opt.kvsSpec(
    ['eventlog', 'wait-event'],
    'Wait for an event',
    '[-N ns] [-t SECONDS] [-u] [-W] [-q] [-v] [-H] key event',
    [opt.NAMESPACE, TIMEOUT, opt.UNFORMATTED, opt.WAITCREATE, QUIET, VERBOSE, opt.HUMAN],
    [
      { name: 'key', nargs: '1' },
      { name: 'event', nargs: '1' },
    ],
  );

  protected override whatFailed(): string {
    return 'flux_kvs_lookup_get';
  }

  protected async main(): Promise<number> {
    const p = this.args;
    const key = this.key(p.operands[0]!);
    const want = p.operands[1]!;
    const fmt = entryFormatter(p.has('unformatted'), p.has('human'));
    const tv = p.str('timeout');
    const timeout = tv === undefined ? -1 : Number(tv);
    if (tv !== undefined && !Number.isFinite(timeout)) throw new CommandExit(1, "flux-kvs eventlog wait-event: wait-event: Option 'timeout' requires a floating point argument");
    let found = false;
    const waiting = this.follow(key, p.has('waitcreate'), (e) => {
      const match = e.name === want;
      if ((match && !p.has('quiet')) || p.has('verbose')) process.stdout.write(fmt(e) + '\n');
      if (match) found = true;
      return !match;
    }).catch((e: FluxError) => {
      if (e.errno === 2) this.fail(`eventlog path ${key} not found`);
      this.unsupported(e, key);
      this.fail(`${key}: ${strerror(e.errno)}`);
    });
    if (timeout >= 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((r) => (timer = setTimeout(r, timeout * 1000)));
      await Promise.race([waiting, expired]);
      clearTimeout(timer);
    } else await waiting;
    if (!found) this.fail(`wait-event timeout on event '${want}'`);
    return 0;
  }
}
