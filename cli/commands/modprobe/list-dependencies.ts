/** flux modprobe list-dependencies [-f] [-S NAME=MODULE] [-D NAME] MODULE: the tree of what a module requires. */
import { FluxCommand } from '../../base-command';
import { dependencyTree } from '../../../lib/modprobe';
import { disable, modprobeSpec, setAlternative } from './group';
import { probeTable } from './table';

export class ModprobeListDependenciesCommand extends FluxCommand {
  static override spec = modprobeSpec(
    'list-dependencies',
    'Display the dependency tree of a module or service',
    [setAlternative, disable, { name: 'full', short: 'f', description: 'Full output. Will show duplicates' }],
    [{ name: 'MODULE', nargs: '1', description: 'Module name for which to display dependencies' }],
  );

  async run(): Promise<number> {
    let out: string;
    const h = await this.connect();
    try {
      const { db } = await probeTable(h, { alternatives: this.args.values('set-alternative'), disable: this.args.values('disable') });
      out = dependencyTree(db, this.args.operands[0]!, this.args.has('full'));
    } catch (e) {
      this.fail((e as Error).message);
    }
    process.stdout.write(out);
    return 0;
  }
}
