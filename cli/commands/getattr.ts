/** flux getattr NAME: print a broker attribute of the local broker. */
import { FluxCommand } from '../base-command';
import type { FluxError } from '../../lib/errors';
import type { CommandSpec } from '../options';

export class GetattrCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['getattr'],
    grammar: 'getopt',
    prog: 'flux getattr',
    summary: 'Get broker attribute',
    docLine: true,
    usage: 'name',
    options: [],
    operands: [{ name: 'name', nargs: '1' }],
  };

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const h = await this.connect();
    try {
      process.stdout.write((await h.getattr(name)) + '\n');
    } catch (e) {
      const fe = e as FluxError;
      this.fail(fe.errno === 2 ? `${name}: No such file or directory` : fe.message);
    }
    return 0;
  }
}
