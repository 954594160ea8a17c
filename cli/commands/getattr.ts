/** flux getattr NAME: print a broker attribute of the local broker. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import type { FluxError } from '../../kernel/api/errors';

export const GETATTR_USAGE = 'Usage: flux getattr name\nGet broker attribute\n  -h, --help             Display this message.';

export class GetattrCommand extends FluxCommand {
  static override paths = [['getattr']];
  static override prog = 'flux-getattr';
  static override usageLine = GETATTR_USAGE;
  static override usage = Command.Usage({ description: 'Get broker attribute' });
  names = Option.Rest();

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  async run(): Promise<number> {
    if (this.names.length !== 1) throw new CommandExit(1, GETATTR_USAGE);
    const name = this.names[0]!;
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
