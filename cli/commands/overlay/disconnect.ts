/**
 * `flux overlay disconnect [--parent=NODEID] TARGET`: ask TARGET's TBON parent
 * (from tbon.topo, or --parent) to drop it (`overlay.disconnect-subtree`).
 * The parent counts it lost at once ("administrative disconnect"); the broker
 * dropped, and every broker below it, lose their parent and exit, so their
 * ranks are lost as if they had failed. Owner only. Messages are Flux's.
 */
import { CommandExit, FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import * as hostlist from '../../../lib/formats/hostlist';
import type { OverlayProtocol } from '../../../lib/protocol/overlay';
import { service } from '../../api/protocol';
import { tbonParentOf } from './tree';

/** overlay.disconnect-subtree (overlay/protocol.avsc: its methods are whole topics) */
const overlay = service<OverlayProtocol>('');

export class OverlayDisconnectCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'disconnect'],
    grammar: 'getopt',
    prog: 'flux-overlay disconnect',
    summary: 'Disconnect a subtree rooted at TARGET (hostname or rank)',
    docLine: true,
    usage: '[OPTIONS] TARGET',
    options: [{ name: 'parent', short: 'r', arg: 'NODEID', description: 'Set parent rank to NODEID (default: determine from topology)' }],
    // checked below, with Flux's message
    operands: [{ name: 'TARGET', nargs: '*' }],
  };

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length !== 1) this.fail('TARGET is required');
    const target = ops[0]!;
    let parent = -1;
    const p = this.args.str('parent');
    if (p !== undefined) {
      if (!/^\s*[+-]?\d+$/.test(p)) throw new CommandExit(1, "flux-overlay disconnect: disconnect: Option 'parent' requires an integer argument");
      parent = Number(p);
    }
    const h = await this.connect();
    const hosts = hostlist.expand(await h.getattr('hostlist'));
    // a rank, or else the first rank on a host of that name
    const rank = /^[+]?\d+$/.test(target) ? Number(target) : hosts.indexOf(target);
    if (rank < 0) this.fail('TARGET must be a valid rank or hostname');
    if (parent === -1) {
      const found = await tbonParentOf(h, rank);
      if ('bad' in found) this.fail(found.bad);
      parent = found.parent;
    }
    const host = (r: number) => hosts[r] ?? '(null)';
    process.stderr.write(`flux-overlay: asking ${host(parent)} (rank ${parent}) to disconnect child ${host(rank)} (rank ${rank})\n`);
    try {
      await overlay.call(h, 'overlay.disconnect-subtree', { rank }, { nodeid: parent });
    } catch (e) {
      this.fail(`overlay.disconnect-subtree: ${(e as Error).message}`);
    }
    return 0;
  }
}
