/** flux lsattr [-v]: list the local broker's attributes (with values: `%-40s%s`). */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import type { FluxError } from '../../kernel/api/errors';

export const LSATTR_USAGE =
  'Usage: flux lsattr [-v]\n' +
  'List broker attributes\n' +
  '  -h, --help             Display this message.\n' +
  '  -v, --values           show values';

export class LsattrCommand extends FluxCommand {
  static override paths = [['lsattr']];
  static override prog = 'flux lsattr';
  static override usageLine = LSATTR_USAGE;
  static override usage = Command.Usage({ description: 'List broker attributes' });
  values = Option.Boolean('-v,--values', false);
  args = Option.Rest();

  protected override connectError(e: FluxError): string {
    return `flux: flux_open: ${e.message}`;
  }

  /** run-time errors use the dash form; option errors (main.ts) the static prog */
  protected override get prog(): string {
    return 'flux-lsattr';
  }

  async run(): Promise<number> {
    if (this.args.length !== 0) throw new CommandExit(1, LSATTR_USAGE);
    const h = await this.connect();
    const r = await h.rpc<{ attrs: Array<[string, string | null]> }>('attr.list', {});
    const out = r.attrs.map(([name, value]) => (this.values ? `${name.padEnd(40)}${value ?? '-'}` : name));
    process.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
    return 0;
  }
}
