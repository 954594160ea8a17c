/** flux jobtap query PLUGIN: one line of JSON about a loaded plugin (name, path, what it reports). */
import { FluxCommand } from '../../base-command';
import { jobtapSpec } from './group';

export class JobtapQueryCommand extends FluxCommand {
  static override spec = jobtapSpec('query', 'Query plugin', [], [{ name: 'plugin', nargs: '1', description: 'Plugin name' }]);

  async run(): Promise<number> {
    const h = await this.connect();
    const r = await h.rpc('job-manager.jobtap-query', { name: this.args.operands[0]! });
    process.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  }
}
