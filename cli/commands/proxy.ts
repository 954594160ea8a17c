/**
 * flux proxy TARGET [COMMAND [ARGS...]]: run COMMAND (default: $SHELL) with
 * FLUX_URI set to the instance TARGET names (a job id of an instance running
 * as a job here, or a URI), so its flux commands talk to it. An instance on
 * another host (ssh://) is reached through ssh (cli/proxy/remote.ts).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { ChildProcess } from 'node:child_process';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { strerror } from '../../lib/errno';
import { proxyRemote } from '../proxy/remote';
import { runChild } from '../proxy/child';
import { watchConnection } from '../proxy/watch';
import { FLUX_VERSION } from './version';
import { UriError, resolveTarget, usable } from '../uri/resolve';

export class ProxyCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['proxy'],
    grammar: 'getopt',
    prog: 'flux-proxy',
    summary: 'Create proxy environment for Flux instance',
    usage: '[OPTIONS] TARGET [COMMAND...]',
    options: [
      { name: 'force', short: 'f', description: 'Skip checks when connecting to Flux broker' },
      { name: 'nohup', short: 'n', description: 'When connection to Flux is lost, do not send SIGHUP to child shell' },
      { name: 'reconnect', description: 'If broker connection is lost, try to reconnect' },
    ],
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
    if (!uri.startsWith('ssh://') && !uri.startsWith('local://')) this.fail(`${uri}: unsupported URI scheme (local:// or ssh://)`);
    // reach it once first: an instance that cannot be reached is one line and exit 1, as in Flux
    // (not COMMAND run with a dead FLUX_URI); the connection then watches the instance while COMMAND runs
    let h: Client;
    try {
      h = await Client.connect(uri);
    } catch (e) {
      if (e instanceof FluxError) this.fail(uri.startsWith('ssh://') ? e.message : `${uri}: ${strerror(e.errno)}`);
      throw e;
    }
    let unwatch = (): void => h.close();
    try {
      await this.checkVersion(h);
      const watch = (child: ChildProcess): void => {
        unwatch = watchConnection(h, uri, child, {
          nohup: this.args.has('nohup'),
          reconnect: this.args.has('reconnect'),
          say: (msg) => process.stderr.write(this.errorLine(msg) + '\n'),
        });
      };
      const r = uri.startsWith('ssh://') ? await proxyRemote(uri, argv, process.env, watch) : await runChild(argv, { ...process.env, FLUX_URI: uri }, watch);
      if ('error' in r) this.fail(`${argv[0]}: ${r.error}`);
      return r.status;
    } finally {
      unwatch();
    }
  }

  /** The broker must be the Flux version these commands are, unless --force (then a warning). */
  private async checkVersion(h: Client): Promise<void> {
    const version = await h.getattr('version');
    if (version === FLUX_VERSION) return;
    const msg = `proxy version ${FLUX_VERSION} may not interoperate with broker version ${version}`;
    if (!this.args.has('force')) this.fail(`fatal: ${msg} (use --force to connect anyway)`);
    process.stderr.write(this.errorLine(`warning: ${msg}`) + '\n');
  }
}
