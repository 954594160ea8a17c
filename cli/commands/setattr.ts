/** flux setattr [-f] NAME VALUE: set a broker attribute on the local broker. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import type { FluxError } from '../../kernel/api/errors';

export const SETATTR_USAGE =
  'Usage: flux setattr name value\n' +
  'Set broker attribute\n' +
  '  -h, --help             Display this message.\n' +
  "  -f, --force            force update of attribute that doesn't support runtime\n" +
  '                         changes';

export class SetattrCommand extends FluxCommand {
  static override paths = [['setattr']];
  static override prog = 'flux setattr';
  static override usageLine = SETATTR_USAGE;
  static override usage = Command.Usage({ description: 'Set broker attribute' });
  force = Option.Boolean('-f,--force', false);
  args = Option.Rest();

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  /** run-time errors use the dash form; option errors (main.ts) the static prog */
  protected override get prog(): string {
    return 'flux-setattr';
  }

  async run(): Promise<number> {
    if (this.args.length !== 2) throw new CommandExit(1, SETATTR_USAGE);
    const [name, value] = this.args as [string, string];
    const h = await this.connect();
    await h.rpc('attr.set', { name, value, force: this.force });
    return 0;
  }
}
