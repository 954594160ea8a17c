/** `flux overlay` with no or an unknown sub-command: usage, exit 1. */
import { Command, Option } from 'clipanion';
import { CommandExit, FluxCommand } from '../../base-command';

export const OVERLAY_USAGE =
  'usage: flux-overlay [-h] {status,lookup,parentof} ...\n' +
  '  status     Display overlay subtree health status\n' +
  '  lookup     Translate hostname to rank or rank to hostname\n' +
  '  parentof   Show the parent of a rank';

export class OverlayCommand extends FluxCommand {
  static override paths = [['overlay']];
  static override prog = 'flux-overlay';
  static override usageLine = OVERLAY_USAGE;
  static override usage = Command.Usage({ description: 'Show and manage the tree based overlay network' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const what = this.args.length === 0 ? 'missing subcommand' : `Unknown subcommand: ${this.args[0]}`;
    throw new CommandExit(1, `flux-overlay: ${what}\n${OVERLAY_USAGE}`);
  }
}
