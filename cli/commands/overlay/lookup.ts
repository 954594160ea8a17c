/** `flux overlay lookup TARGET`: idset -> hostlist, hostlist -> ranks (from the hostlist attribute). */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import * as hostlist from '../../../lib/formats/hostlist';
import * as idset from '../../../lib/formats/idset';

export class OverlayLookupCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'lookup'],
    grammar: 'getopt',
    prog: 'flux-overlay lookup',
    summary: 'Translate hostname to rank or rank to hostname',
    docLine: true,
    usage: '[OPTIONS] TARGET',
    options: [],
    operands: [{ name: 'TARGET', nargs: '1' }],
  };

  async run(): Promise<number> {
    const target = this.args.operands[0]!;
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
