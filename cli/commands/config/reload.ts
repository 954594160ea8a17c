/**
 * flux config reload: the broker reads its configuration again from the
 * files it started with (flux start -c PATH, -Sconfig.path, then the --conf
 * overrides), checks it and tells its modules (kernel/config/reload.ts).
 */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { FluxError } from '../../../lib/errors';

export class ConfigReloadCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['config', 'reload'],
    grammar: 'getopt',
    prog: 'flux-config reload',
    summary: 'Reload the configuration from the files the instance was started with',
    docLine: true,
    usage: '[OPTIONS]',
    options: [],
    operands: [],
  };

  async run(): Promise<number> {
    const h = await this.connect();
    try {
      await h.rpc('config.reload', {});
    } catch (e) {
      this.fail((e as FluxError).message);
    }
    return 0;
  }
}
