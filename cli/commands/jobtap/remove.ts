/** flux jobtap remove PLUGIN: remove a plugin by name, glob (builtins only with a leading `.`), or all. */
import { FluxCommand } from '../../base-command';
import { jobtapSpec } from './group';

export class JobtapRemoveCommand extends FluxCommand {
  static override spec = jobtapSpec('remove', 'Remove a plugin', [], [{ name: 'plugin', nargs: '1', description: 'Plugin name, glob, or all' }]);

  async run(): Promise<number> {
    const h = await this.connect();
    await h.rpc('job-manager.jobtap', { remove: this.args.operands[0]! });
    return 0;
  }
}
