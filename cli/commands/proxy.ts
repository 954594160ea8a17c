/**
 * flux proxy TARGET [COMMAND [ARGS...]]: run COMMAND (default: $SHELL) with
 * FLUX_URI set to the instance TARGET names (a job id of an instance running
 * as a job here, or a URI), so its flux commands talk to it. An instance on
 * another host (ssh://) is reached through ssh (cli/proxy/remote.ts).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { runForeground } from '../run-command';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { strerror } from '../../lib/errno';
import { proxyRemote } from '../proxy/remote';
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
    const argv = command.length > 0 ? command : [process.env['SHELL'] || '/bin/sh'];
    if (uri.startsWith('ssh://')) {
      // reach it once first: a host or instance that cannot be reached is one line, as Flux prints it
      try {
        (await Client.connect(uri)).close();
      } catch (e) {
        if (e instanceof FluxError) this.fail(e.message);
        throw e;
      }
      const r = await proxyRemote(uri, argv, process.env);
      if ('error' in r) this.fail(`${argv[0]}: ${r.error}`);
      return r.status;
    }
    if (!uri.startsWith('local://')) this.fail(`${uri}: unsupported URI scheme (local:// or ssh://)`);
    // an instance that cannot be reached is one line and exit 1, as in Flux (not COMMAND run with a dead FLUX_URI)
    try {
      (await Client.connect(uri)).close();
    } catch (e) {
      if (e instanceof FluxError) this.fail(`${uri}: ${strerror(e.errno)}`);
      throw e;
    }
    const r = runForeground(argv, { ...process.env, FLUX_URI: uri });
    if ('error' in r) this.fail(`${argv[0]}: ${r.error}`);
    return r.status;
  }
}
