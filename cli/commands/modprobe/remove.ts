/**
 * flux modprobe remove [--dry-run] MODULE...|all: remove modules and those
 * that only they required; refused while another loaded module requires one.
 */
import { FluxCommand } from '../../base-command';
import { removePlan } from '../../../lib/modprobe';
import { dryRun, modprobeSpec } from './group';
import { loadedModules, probeTable } from './table';
import { removeAll } from './run-plan';

export class ModprobeRemoveCommand extends FluxCommand {
  static override spec = modprobeSpec(
    'remove',
    'Remove modules and the modules only they required',
    [dryRun],
    [{ name: 'MODULE', nargs: '+', description: 'Module to remove ("all": every module of the table)' }],
  );

  async run(): Promise<number> {
    const h = await this.connect();
    let plan: string[];
    try {
      const { db } = await probeTable(h);
      plan = removePlan(db, this.args.operands, await loadedModules(h));
    } catch (e) {
      this.fail((e as Error).message);
    }
    return removeAll(h, plan, { dryRun: this.args.has('dry-run'), verbose: false });
  }
}
