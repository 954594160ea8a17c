/** flux resource reload [-f] PATH: replace the instance's resources with the R document in PATH. */
import * as fs from 'node:fs';
import { Command, Option } from 'clipanion';
import { ResourceCommand } from './common';

export class ResourceReloadCommand extends ResourceCommand {
  static override paths = [['resource', 'reload']];
  static override usage = Command.Usage({ description: 'Reload the resource set (R) from a file' });
  static override sub = 'reload';
  static override synopsis = '[-h] [-x] [-f] path';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [
      { long: 'xml', short: 'x' },
      { long: 'force', short: 'f' },
    ]);
    if (p.positionals.length !== 1) this.usageError(p.positionals.length === 0 ? 'the following arguments are required: path' : `unrecognized arguments: ${p.positionals.slice(1).join(' ')}`);
    if (p.opts.has('xml')) this.fail('--xml: hwloc XML is not supported by flux-ts (give an R file)');
    const file = p.positionals[0]!;
    let R: unknown;
    try {
      R = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.fail(`${file}: ${err.code === 'ENOENT' ? 'No such file or directory' : err.code ?? 'not JSON'}`);
    }
    const h = await this.connect();
    await this.rpc0(h, 'resource.reload', { R, force: p.opts.has('force') });
    return 0;
  }
}
