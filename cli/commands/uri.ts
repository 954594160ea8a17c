/** flux uri [--local|--remote] TARGET: the URI of an instance (a job id of one running as a job, or a URI). */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { UriError, resolveTarget, toLocal, usable } from '../uri/resolve';

export class UriCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['uri'],
    grammar: 'argparse',
    prog: 'flux uri',
    summary: 'Resolve TARGET to a Flux URI',
    options: [
      { name: 'remote', description: 'Return the remote URI (ssh://HOST/PATH)' },
      { name: 'local', description: 'Return the local URI (local://PATH)' },
    ],
    exclusive: [['remote', 'local']],
    operands: [{ name: 'TARGET', nargs: '1', description: 'A Flux job id or URI' }],
  };

  async run(): Promise<number> {
    const local = this.args.has('local');
    const remote = this.args.has('remote');
    let uri: string;
    try {
      uri = await resolveTarget(this.args.operands[0]!, () => this.connect());
    } catch (e) {
      if (e instanceof UriError) this.fail(e.message);
      throw e;
    }
    process.stdout.write(`${local ? toLocal(uri) : remote ? uri : usable(uri)}\n`);
    return 0;
  }
}
