/** flux uri [--local|--remote] TARGET: the URI of an instance (a job id of one running as a job, or a URI). */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { UriError, resolveTarget, toLocal, usable } from '../uri/resolve';

const USAGE = 'usage: flux uri [-h] [--remote | --local] TARGET';

export class UriCommand extends FluxCommand {
  static override paths = [['uri']];
  static override prog = 'flux-uri';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Resolve TARGET to a Flux URI' });
  local = Option.Boolean('--local', false, { description: 'Return the local URI (local://PATH)' });
  remote = Option.Boolean('--remote', false, { description: 'Return the remote URI (ssh://HOST/PATH)' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(2, `${USAGE}\nflux uri: error: the following arguments are required: TARGET`);
    if (this.local && this.remote) throw new CommandExit(2, `${USAGE}\nflux uri: error: argument --local: not allowed with argument --remote`);
    let uri: string;
    try {
      uri = await resolveTarget(this.args[0]!, () => this.connect());
    } catch (e) {
      if (e instanceof UriError) this.fail(e.message);
      throw e;
    }
    process.stdout.write(`${this.local ? toLocal(uri) : this.remote ? uri : usable(uri)}\n`);
    return 0;
  }
}
