/**
 * The broker's own rc1 when `broker.rc1_path` is Flux's default, `flux
 * modprobe rc1`: the same table and the same plan as the command, run in the
 * broker instead of a process of its own (a Node start saved on every
 * broker). Modules load one at a time in plan order.
 */
import { applyModulesConfig, probeContext } from './index';
import { readTables } from './files';
import { loadPlan, rc1Targets } from './solve';

/** what Flux's broker.rc1_path and rc3_path are by default */
export const MODPROBE_RC1 = 'flux modprobe rc1';
export const MODPROBE_RC3 = 'flux modprobe rc3';

export interface Rc1Broker {
  rank: number;
  config: Readonly<Record<string, unknown>>;
  attr(name: string): string | undefined;
  env: NodeJS.ProcessEnv;
  load(module: string, args: readonly string[], name: string | undefined): Promise<void>;
  /** one line at severity err */
  error(line: string): void;
  /** go on after a module fails (flux start --recovery) */
  keepGoing: boolean;
}

/** Load this broker's modules; 0, or 1 after the first failure (after all of them when keepGoing). */
export async function modprobeRc1(b: Rc1Broker): Promise<number> {
  let plan;
  let db;
  try {
    db = (await readTables(b.env)).db;
    applyModulesConfig(db, b.config['modules'] as Record<string, unknown> | undefined, b.env);
    plan = loadPlan(db, rc1Targets(db), probeContext(b.rank, b.config, (n) => b.attr(n), b.env));
  } catch (e) {
    b.error(`rc1.${b.rank}: ${(e as Error).message}`);
    return 1;
  }
  let failed = 0;
  for (const name of plan) {
    const e = db.entry(name)!;
    try {
      await b.load(e.module, e.args, e.module === e.name ? undefined : e.name);
    } catch (err) {
      b.error(`rc1.${b.rank}: ${(err as Error).message}`);
      if (!b.keepGoing) return 1;
      failed = 1;
    }
  }
  return failed;
}
