/** `flux overlay parentof RANK`: the TBON parent of a rank, from tbon.topo and size. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { tbonParentOf } from './tree';

export class OverlayParentofCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'parentof'],
    grammar: 'getopt',
    prog: 'flux-overlay parentof',
    summary: 'Show the parent of a rank',
    docLine: true,
    usage: '[OPTIONS] RANK',
    options: [],
    operands: [{ name: 'RANK', nargs: '1' }],
  };

  async run(): Promise<number> {
    const arg = this.args.operands[0]!;
    const h = await this.connect();
    const rank = /^\d+$/.test(arg) ? Number(arg) : NaN;
    const found = await tbonParentOf(h, rank);
    // a word that is not a rank is named as given
    if ('bad' in found) this.fail(Number.isNaN(rank) ? `${arg} is not a valid rank in this instance` : found.bad);
    process.stdout.write(`${found.parent}\n`);
    return 0;
  }
}
