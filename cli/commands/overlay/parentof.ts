/** `flux overlay parentof RANK`: the TBON parent of a rank, from tbon.topo and size. */
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../../base-command';
import { DEFAULT_TOPO, makeTopology } from '../../../kernel/overlay/factory';

export class OverlayParentofCommand extends FluxCommand {
  static override paths = [['overlay', 'parentof']];
  static override prog = 'flux-overlay';
  static override usageLine = 'usage: flux-overlay parentof [-h] RANK';
  static override usage = Command.Usage({ description: 'Show the parent of a rank' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(2, 'usage: flux-overlay parentof [-h] RANK');
    const arg = this.args[0]!;
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
