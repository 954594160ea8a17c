/** `flux kvs eventlog` without (or with an unknown) sub-command: Flux's one line and the three it has. */
import { CommandExit, FluxCommand } from '../../base-command';
import { kvsSpec } from './options';

export class KvsEventlogCommand extends FluxCommand {
  static override spec = { ...kvsSpec(['eventlog'], 'Access eventlogs', '[get|append|wait-event] ...', [], []), freeOperands: true };

  async run(): Promise<number> {
    const what = this.args.operands[0];
    throw new CommandExit(1, `flux-kvs eventlog: ${what === undefined ? 'missing subcommand' : `Unknown subcommand: ${what}`}\nUsage: flux-kvs eventlog [get|append|wait-event] ...`);
  }
}
