/**
 * flux modprobe rc1 / rc3: what the broker does at start and at exit with
 * Flux's default broker.rc1_path and rc3_path, as a command: load every
 * module of the table this broker should have (that it has not), or remove
 * every loaded module of the table, newest first. For an instance started
 * with `-Sbroker.rc1_path=` and `-Sbroker.rc3_path=`, or to check a table
 * with --dry-run.
 */
import { FluxCommand } from '../../base-command';
import { loadPlan, predecessors, rc1Targets, removePlan } from '../../../lib/modprobe';
import { kvs } from '../../api/kvs';
import { pyJson } from '../../jobspec/pyjson';
import { dryRun, modprobeSpec, showDeps, verbose } from './group';
import { brokerContext, loadedModules, probeTable } from './table';
import { loadAll, removeAll, type TaskTiming } from './run-plan';

export class ModprobeRc1Command extends FluxCommand {
  static override spec = modprobeSpec(
    'rc1',
    "Load the module table's modules (the broker's rc1)",
    [{ name: 'timing', description: 'Store timing data in KVS in modprobe.stats key' }, showDeps, verbose, dryRun],
    [],
  );

  async run(): Promise<number> {
    const h = await this.connect();
    const o = { dryRun: this.args.has('dry-run'), verbose: this.args.has('verbose') };
    const t0 = performance.now();
    let plan: string[];
    let db;
    let rank: number;
    try {
      const t = await probeTable(h);
      db = t.db;
      if (o.verbose) process.stderr.write(t.trace.join('\n') + '\n');
      const ctx = await brokerContext(h, t);
      rank = ctx.rank;
      const loaded = await loadedModules(h);
      plan = loadPlan(db, rc1Targets(db), ctx).filter((n) => loaded.lookup(n) === undefined);
      if (this.args.has('show-deps')) {
        process.stdout.write(pyJson(Object.fromEntries(predecessors(db, plan))) + '\n');
        return 0;
      }
    } catch (e) {
      this.fail((e as Error).message);
    }
    const timing: TaskTiming[] = [{ name: 'configure', starttime: 0, duration: (performance.now() - t0) / 1000 }];
    const rc = await loadAll(h, db, plan, o, timing, t0);
    if (this.args.has('timing') && rank === 0 && !o.dryRun) await kvs.put(h, 'modprobe.stats', timing);
    return rc;
  }
}

export class ModprobeRc3Command extends FluxCommand {
  static override spec = modprobeSpec('rc3', "Remove every loaded module of the table (the broker's rc3)", [verbose, dryRun], []);

  async run(): Promise<number> {
    const h = await this.connect();
    let plan: string[];
    try {
      const { db } = await probeTable(h);
      plan = removePlan(db, ['all'], await loadedModules(h));
    } catch (e) {
      this.fail((e as Error).message);
    }
    return removeAll(h, plan, { dryRun: this.args.has('dry-run'), verbose: this.args.has('verbose') });
  }
}
