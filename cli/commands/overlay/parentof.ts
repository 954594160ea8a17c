/** `flux overlay parentof RANK`: the TBON parent of a rank, from tbon.topo and size. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { DEFAULT_TOPO, makeTopology } from '../../../lib/tree-topology';

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
    const size = Number(await h.getattr('size'));
    let topo = DEFAULT_TOPO;
    try {
      topo = await h.getattr('tbon.topo');
    } catch {
      /* singleton or default */
    }
    const rank = /^\d+$/.test(arg) ? Number(arg) : NaN;
    if (!(rank < size)) this.fail(`${arg} is not a valid rank in this instance`);
    const parent = makeTopology(topo, size).parentOf(rank);
    if (parent === undefined) this.fail(`${rank} has no parent`);
    process.stdout.write(`${parent}\n`);
    return 0;
  }
}
