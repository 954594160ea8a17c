/** flux resource reload [-f] PATH: replace the instance's resources with the R document in PATH. */
import * as fs from 'node:fs';
import { ResourceCommand, resourceSpec } from './common';

export class ResourceReloadCommand extends ResourceCommand {
  static override spec = resourceSpec(
    'reload',
    'Reload the resource set (R) from a file',
    [
      { name: 'xml', short: 'x', description: 'PATH is a directory of hwloc XML files (refused: flux-ts takes an R file)' },
      { name: 'force', short: 'f', description: 'Allow R with ranks beyond the size of the instance' },
    ],
    [{ name: 'path', nargs: '1', description: 'an R document (RFC 20 version 1, JSON)' }],
  );

  async run(): Promise<number> {
    const p = this.args;
    if (p.has('xml')) this.fail('--xml: hwloc XML is not supported by flux-ts (give an R file)');
    const file = p.operands[0]!;
    let R: unknown;
    try {
      R = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.fail(`${file}: ${err.code === 'ENOENT' ? 'No such file or directory' : (err.code ?? 'not JSON')}`);
    }
    const h = await this.connect();
    await this.rpc0(h, 'resource.reload', { R, force: p.has('force') });
    return 0;
  }
}
