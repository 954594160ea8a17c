/**
 * flux overlay trace [-f] [-r RANK] [-t TYPES] [-H] [-d] [-L[WHEN]] [GLOB]:
 * print each message the local broker sends to (tx) or receives from (rx)
 * its overlay peers (its parent and children), the peer's rank first, in
 * the format of flux module trace (cli/trace-print.ts), until interrupted.
 */
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { OverlayProtocol } from '../../../lib/protocol/overlay';
import { TraceCommand, traceOptions } from '../../trace-print';

const overlay = service<OverlayProtocol>('');

export class OverlayTraceCommand extends TraceCommand {
  static override spec: CommandSpec = {
    path: ['overlay', 'trace'],
    grammar: 'getopt',
    prog: 'flux-overlay trace',
    summary: 'Trace overlay messages',
    docLine: true,
    usage: '[OPTIONS] [GLOB]',
    options: [...traceOptions, { name: 'rank', short: 'r', arg: 'RANK', description: 'Only messages to or from peer RANK' }],
    operands: [{ name: 'GLOB', nargs: '?' }],
  };

  async run(): Promise<number> {
    const rank = this.args.str('rank');
    if (rank !== undefined && !/^\d+$/.test(rank)) this.fail(`invalid rank: ${rank}`);
    const p = this.startTrace();
    const h = await this.connect();
    const req = { nodeid: rank === undefined ? -1 : Number(rank), typemask: p.typemask, topic_glob: this.args.operands[0] ?? '*', full: this.args.has('full') };
    await overlay.stream(h, 'overlay.trace', req, (r) => p.print(String(r.rank), r));
    return 0;
  }
}
