/** flux modprobe show [-S NAME=MODULE] [-D NAME] MODULE: the table entry a module or service name stands for, as JSON. */
import { FluxCommand } from '../../base-command';
import { shownEntry } from '../../../lib/modprobe';
import { pyJson } from '../../jobspec/pyjson';
import { disable, modprobeSpec, setAlternative } from './group';
import { probeTable } from './table';

export class ModprobeShowCommand extends FluxCommand {
  static override spec = modprobeSpec(
    'show',
    'Show the configuration of a module or service',
    [{ name: 'path', arg: 'PATH', description: 'Set path to module configuration TOML file' }, setAlternative, disable],
    [{ name: 'MODULE', nargs: '1', description: 'Module name to show' }],
  );

  async run(): Promise<number> {
    let out: string;
    const h = this.args.has('path') ? undefined : await this.connect();
    try {
      const { db } = await probeTable(h, { alternatives: this.args.values('set-alternative'), disable: this.args.values('disable'), path: this.args.str('path') });
      out = pyJson(shownEntry(db.get(this.args.operands[0]!)));
    } catch (e) {
      this.fail((e as Error).message);
    }
    process.stdout.write(out + '\n');
    return 0;
  }
}
