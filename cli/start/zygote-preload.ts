/**
 * What the broker zygote (cli/broker-zygote.ts, ADR 0024) evaluates once for
 * every follower it forks: the code of the built-in modules a follower's rc1
 * loads (modules/modprobe.toml, every rank but the leader's) and libsodium
 * (the overlay's keys). Part of the broker bundle, so that these are the
 * bundle's own module instances, the ones each broker then uses.
 *
 * Site modules (FLUX_MODULE_PATH) are left alone: their top-level code runs in
 * each broker, as it would without the zygote.
 */
import * as path from 'node:path';
import { builtinDb, loadPlan, probeContext, ranksMatcher, rc1Targets, type ModuleEntry } from '../../lib/modprobe';
import { builtinModuleDir, resolveModule } from '../../kernel/main';
import { sodium } from '../../lib/crypto/sodium';

export function preloadFollower(): void {
  sodium();
  let entries: ModuleEntry[];
  try {
    const db = builtinDb();
    entries = db.all();
    // rc1's plan once: its code is compiled, and the table parsed and checked, before the forks
    loadPlan(db, rc1Targets(db), probeContext(1, {}, () => undefined, {}));
  } catch {
    return; // each broker reports it in rc1
  }
  for (const m of entries) {
    // a module that loads on rank 1 loads on followers
    if (!ranksMatcher(m.ranks)?.(1)) continue;
    try {
      const file = resolveModule(m.module, undefined).path;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (file.startsWith(builtinModuleDir + path.sep)) require(file);
    } catch {
      /* rc1 reports it */
    }
  }
}
