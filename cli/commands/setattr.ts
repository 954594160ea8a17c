/** flux setattr [-f] NAME VALUE: set a broker attribute on the local broker. */
import { FluxCommand } from '../base-command';
import type { FluxError } from '../../lib/errors';
import type { CommandSpec } from '../options';

export class SetattrCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['setattr'],
    grammar: 'getopt',
    prog: 'flux setattr',
    summary: 'Set broker attribute',
    docLine: true,
    usage: 'name value',
    options: [{ name: 'force', short: 'f', description: "force update of attribute that doesn't support runtime changes" }],
    operands: [
      { name: 'name', nargs: '1' },
      { name: 'value', nargs: '1' },
    ],
  };

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  async run(): Promise<number> {
    const [name, value] = this.args.operands as [string, string];
    const h = await this.connect();
    await h.rpc('attr.set', { name, value, force: this.args.has('force') });
    return 0;
  }
}
