/** `flux overlay lookup TARGET`: idset -> hostlist, hostlist -> ranks (from the hostlist attribute). */
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../../base-command';
import * as hostlist from '../../../kernel/api/formats/hostlist';
import * as idset from '../../../kernel/api/formats/idset';

export class OverlayLookupCommand extends FluxCommand {
  static override paths = [['overlay', 'lookup']];
  static override prog = 'flux-overlay';
  static override usageLine = 'usage: flux-overlay lookup [-h] TARGET';
  static override usage = Command.Usage({ description: 'Translate hostname to rank or rank to hostname' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(2, 'usage: flux-overlay lookup [-h] TARGET');
    const target = this.args[0]!;
    const h = await this.connect();
    const hosts = hostlist.expand(await h.getattr('hostlist'));
    let ranks: number[] | undefined;
    try {
      ranks = idset.decode(target);
    } catch {
      ranks = undefined;
    }
    if (ranks) {
      const bad = ranks.find((r) => r >= hosts.length);
      if (bad !== undefined) this.fail(`${bad} is not a valid rank in this instance`);
      process.stdout.write(hostlist.compress(ranks.map((r) => hosts[r]!)) + '\n');
      return 0;
    }
    let wanted: string[];
    try {
      wanted = hostlist.expand(target);
    } catch {
      this.fail(`${target}: invalid hostlist or idset`);
    }
    const out: number[] = [];
    for (const w of wanted) {
      const found = hosts.flatMap((x, r) => (x === w ? [r] : []));
      if (found.length === 0) this.fail(`${w}: host not found in this instance`);
      out.push(...found);
    }
    process.stdout.write(idset.encode(out) + '\n');
    return 0;
  }
}
