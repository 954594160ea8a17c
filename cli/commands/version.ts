/**
 * flux version (also `flux -V`): versions of the commands, the library and,
 * inside an instance, the broker, in Flux's layout; flux-ts's own version
 * (package.json) on its own line after the Flux version it follows.
 */
import { FluxCommand, CommandExit } from '../base-command';
import type { CommandSpec } from '../options';
import { Client } from '../api/client';
import type { FluxError } from '../../lib/errors';
import { packageVersion } from '../package-info';

/** The Flux release whose interfaces flux-ts implements. */
export const FLUX_VERSION = '0.88.0';

export class VersionCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['version'],
    grammar: 'getopt',
    prog: 'flux version',
    summary: 'Display flux version information',
    docLine: true,
    options: [],
    freeOperands: true,
  };

  async run(): Promise<number> {
    const out = (s: string) => process.stdout.write(s + '\n');
    out(`commands:    \t\t${FLUX_VERSION}`);
    out(`libflux-core:\t\t${FLUX_VERSION}`);
    out(`flux-ts:     \t\t${packageVersion()}`);
    const uri = process.env['FLUX_URI'];
    if (uri) {
      let h: Client;
      try {
        h = await Client.connect(uri);
      } catch (e) {
        throw new CommandExit(1, `flux: flux_open: ${(e as FluxError).message}`);
      }
      try {
        out(`broker:  \t\t${await h.getattr('version')}`);
      } finally {
        h.close();
      }
      out(`FLUX_URI:\t\t${uri}`);
    }
    out(`build-options:\t\t+node==${process.versions.node}`);
    return 0;
  }
}
