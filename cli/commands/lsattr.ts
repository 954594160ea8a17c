/** flux lsattr [-v]: list the local broker's attributes (with values: `%-40s%s`). */
import { FluxCommand } from '../base-command';
import type { FluxError } from '../../lib/errors';
import type { CommandSpec } from '../options';
import { service } from '../api/protocol';
import type { BrokerProtocol } from '../../lib/protocol/broker';

const broker = service<BrokerProtocol>('');

export class LsattrCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['lsattr'],
    grammar: 'getopt',
    prog: 'flux lsattr',
    summary: 'List broker attributes',
    docLine: true,
    usage: '[-v]',
    options: [{ name: 'values', short: 'v', description: 'show values' }],
    operands: [],
  };

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  async run(): Promise<number> {
    const values = this.args.has('values');
    const h = await this.connect();
    const r = await broker.call(h, 'attr.list', {});
    // each pair is [name, value or null]
    const out = r.attrs.map(([name, value]) => (values ? `${String(name).padEnd(40)}${value ?? '-'}` : String(name)));
    process.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
    return 0;
  }
}
