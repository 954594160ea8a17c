/**
 * flux modprobe load [--dry-run] MODULE...: load modules (or the module a
 * service name stands for, e.g. `sched`) and what they require, skipping
 * those already loaded.
 */
import { FluxCommand } from '../../base-command';
import { loadPlan, notEnabled } from '../../../lib/modprobe';
import { dryRun, modprobeSpec } from './group';
import { brokerContext, loadedModules, probeTable } from './table';
import { loadAll } from './run-plan';

export class ModprobeLoadCommand extends FluxCommand {
  static override spec = modprobeSpec('load', 'Load modules and their dependencies', [dryRun], [{ name: 'MODULE', nargs: '+', description: 'Module to load' }]);

  async run(): Promise<number> {
    const h = await this.connect();
    let plan: string[];
    let db;
    try {
      const table = await probeTable(h);
      db = table.db;
      // the named modules become their services' choice (a module that is not the default loads)
      for (const e of this.args.operands.map((n) => table.db.get(n))) for (const s of e.provides) table.db.setAlternative(s, e.name);
      const loaded = await loadedModules(h);
      const ctx = await brokerContext(h, table);
      // a module named that cannot load here is said so (not "already loaded")
      for (const n of this.args.operands) {
        const why = notEnabled(db.get(n), ctx);
        if (why !== undefined && loaded.lookup(n) === undefined) throw new Error(why);
      }
      plan = loadPlan(db, this.args.operands, ctx).filter((n) => loaded.lookup(n) === undefined);
    } catch (e) {
      this.fail((e as Error).message);
    }
    if (plan.length === 0) {
      process.stderr.write('flux-modprobe: All modules and their dependencies are already loaded\n');
      return 0;
    }
    return loadAll(h, db, plan, { dryRun: this.args.has('dry-run'), verbose: false });
  }
}
