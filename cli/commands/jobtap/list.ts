/** flux jobtap list [-a]: the loaded plugins, in load order (builtins, with a leading `.`, only with -a). */
import { FluxCommand } from '../../base-command';
import { jobtapSpec } from './group';

export class JobtapListCommand extends FluxCommand {
  static override spec = jobtapSpec('list', 'List loaded plugins', [{ name: 'all', short: 'a', description: 'List all plugins, including builtins' }], []);

  async run(): Promise<number> {
    const h = await this.connect();
    const r = await h.rpc<{ plugins: string[] }>('job-manager.jobtap', { all: this.args.has('all') });
    for (const name of r.plugins) process.stdout.write(`${name}\n`);
    return 0;
  }
}
