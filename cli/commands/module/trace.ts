/**
 * flux module trace [-f] [-t TYPES] [-T GLOB] [-H] [-d] [-L[WHEN]] [NAME...]:
 * print each message the local broker's modules (those named, or all)
 * receive (rx) and send (tx), as Flux's does, until interrupted
 * (cli/trace-print.ts has the line's format).
 */
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { BrokerProtocol } from '../../../lib/protocol/broker';
import { TraceCommand, traceOptions } from '../../trace-print';

const broker = service<BrokerProtocol>('');

export class ModuleTraceCommand extends TraceCommand {
  static override spec: CommandSpec = {
    path: ['module', 'trace'],
    grammar: 'getopt',
    prog: 'flux-module trace',
    summary: 'Display messages to/from modules',
    docLine: true,
    usage: '[OPTIONS] [module...]',
    options: [...traceOptions, { name: 'topic', short: 'T', arg: 'GLOB', description: 'Only topics that match GLOB' }],
    operands: [{ name: 'module', nargs: '*' }],
  };

  async run(): Promise<number> {
    const names = this.args.operands;
    const p = this.startTrace();
    const width = Math.max(0, ...names.map((n) => n.length));
    const h = await this.connect();
    const req = { names: names.length > 0 ? names : null, typemask: p.typemask, topic_glob: this.args.str('topic') ?? '*', full: this.args.has('full') };
    await broker.stream(h, 'module.trace', req, (r) => p.print(r.name.padStart(width), r));
    return 0;
  }
}
