/**
 * `flux overlay errors [-t FSD]`: one line per distinct error recorded for a
 * lost or offline broker, prefixed by the hosts it was recorded for. The
 * brokers behind a lost one (ghosts: nobody could ask them) are summed up
 * as `lost parent`, as Flux does.
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';
import { tryParse as parseFsd } from '../../../lib/formats/fsd';
import { compress } from '../../../lib/formats/hostlist';
import type { OverlayProtocol, StatusNode } from '../../../lib/protocol/overlay';
import { service } from '../../api/protocol';

const overlay = service<OverlayProtocol>('');

/** error text -> the hosts (in rank order) it was recorded for */
export function collectErrors(root: StatusNode): Map<string, { rank: number; host: string }[]> {
  const found = new Map<string, { rank: number; host: string }[]>();
  const add = (why: string, n: StatusNode): void => {
    const list = found.get(why) ?? [];
    list.push({ rank: n.rank, host: n.host });
    found.set(why, list);
  };
  const walk = (n: StatusNode, parentLost: boolean): void => {
    for (const c of n.children) {
      const down = c.status === 'lost' || c.status === 'offline';
      if (c.ghost === true) {
        if (parentLost) add('lost parent', c);
      } else if (down && c.error !== undefined && c.error !== '') add(c.error, c);
      walk(c, c.status === 'lost');
    }
  };
  walk(root, false);
  for (const list of found.values()) list.sort((a, b) => a.rank - b.rank);
  return found;
}

export class OverlayErrorsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'errors'],
    grammar: 'getopt',
    prog: 'flux-overlay errors',
    summary: 'Summarize errors recorded for lost or offline brokers',
    docLine: true,
    usage: '[OPTIONS]',
    options: [{ name: 'timeout', short: 't', arg: 'FSD', default: '0.5s', description: 'Set RPC timeout, 0=disable (default 0.5s)' }],
  };

  async run(): Promise<number> {
    const t = this.args.str('timeout');
    let timeout = 0.5;
    if (t !== undefined) {
      const secs = parseFsd(t);
      if (secs === undefined) this.fail(`invalid --timeout '${t}': expected a duration such as 0.5s`);
      timeout = secs;
    }
    const h = await this.connect();
    let root: StatusNode;
    try {
      root = await overlay.call(h, 'overlay.status', { timeout }, { nodeid: 0 });
    } catch (e) {
      const fe = e as FluxError;
      // a singleton has no overlay, hence no errors
      if (fe.errno === Errno.ENOSYS) return 0;
      this.fail(fe.message);
    }
    const lines: string[] = [];
    for (const [why, nodes] of collectErrors(root)) lines.push(`${compress(nodes.map((n) => n.host))}: ${why}`);
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
}
