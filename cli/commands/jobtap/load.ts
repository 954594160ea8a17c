/** flux jobtap load [-r NAME] PLUGIN [KEY=VAL...]: load a job-manager plugin (a name under plugins/jobtap or a path). */
import * as path from 'node:path';
import { FluxCommand } from '../../base-command';
import { jobtapSpec, parseConf } from './group';

export class JobtapLoadCommand extends FluxCommand {
  static override spec = jobtapSpec(
    'load',
    'Load a plugin',
    [{ name: 'remove', short: 'r', arg: 'NAME', description: 'Remove plugin NAME before loading plugin (a name, a glob, or all)' }],
    [
      { name: 'plugin', nargs: '1', description: 'Plugin name (plugins/jobtap/NAME) or path to a plugin file' },
      { name: 'conf', nargs: '*', description: 'key=val config for the plugin' },
    ],
  );

  async run(): Promise<number> {
    const [spec, ...args] = this.args.operands as [string, ...string[]];
    const { conf, bad } = parseConf(args);
    if (bad !== undefined) this.usageError(`config argument '${bad}' is not key=val`);
    // a path is resolved here: the broker's working directory is not ours
    const load = spec.includes('/') ? path.resolve(spec) : spec;
    const h = await this.connect();
    const remove = this.args.str('remove');
    await h.rpc('job-manager.jobtap', { load, conf, ...(remove !== undefined ? { remove } : {}) });
    return 0;
  }
}
