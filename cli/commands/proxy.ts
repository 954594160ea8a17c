/**
 * flux proxy TARGET [COMMAND [ARGS...]]: run COMMAND (default: $SHELL) with
 * FLUX_URI set to the instance TARGET names (a job id of an instance running
 * as a job here, or a URI on this host), so its flux commands talk to it.
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { runForeground } from '../run-command';
import { UriError, resolveTarget, usable } from '../uri/resolve';

export class ProxyCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['proxy'],
    grammar: 'getopt',
    prog: 'flux-proxy',
    summary: 'Create proxy environment for Flux instance',
    usage: '[OPTIONS] TARGET [COMMAND...]',
    options: [],
    operands: [
      { name: 'TARGET', nargs: '1' },
      { name: 'COMMAND', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const [target, ...command] = this.args.operands as [string, ...string[]];
    let uri: string;
    try {
      // the lookup's connection is closed when the command ends (FluxCommand.execute)
      uri = usable(await resolveTarget(target, () => this.connect()));
    } catch (e) {
      if (e instanceof UriError) this.fail(e.message);
      throw e;
    }
    if (!uri.startsWith('local://')) this.fail(`${uri}: only instances on this host can be reached (local://)`);
    const argv = command.length > 0 ? command : [process.env['SHELL'] || '/bin/sh'];
    const r = runForeground(argv, { ...process.env, FLUX_URI: uri });
    if ('error' in r) this.fail(`${argv[0]}: ${r.error}`);
    return r.status;
  }
}
