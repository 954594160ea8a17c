/**
 * Carry out a plan of `flux modprobe`: load or remove modules one after the
 * other, as Flux's does (`--dry-run` prints `load NAME ARGS` / `remove NAME`
 * instead; `-v` traces each request on stderr). The first failure is printed
 * as `NAME: reason` and stops what is left.
 */
import { Errno } from '../../../lib/errno';
import type { FluxError } from '../../../lib/errors';
import type { ModuleDb } from '../../../lib/modprobe';
import type { Client } from '../../api/client';
import { canonicalModulePath } from '../module/load';

export interface PlanOptions {
  dryRun: boolean;
  verbose: boolean;
}

/** one module's start and length, from the plan's start (flux modprobe rc1 --timing) */
export interface TaskTiming {
  name: string;
  starttime: number;
  duration: number;
}

const trace = (o: PlanOptions, line: string) => o.verbose && process.stderr.write(line + '\n');

/** Load the plan's modules in order; 0, or 1 after the first failure. */
export async function loadAll(h: Client, db: ModuleDb, plan: readonly string[], o: PlanOptions, timing?: TaskTiming[], t0 = performance.now()): Promise<number> {
  for (const name of plan) {
    const e = db.entry(name)!;
    if (o.dryRun) {
      process.stdout.write([`load ${name}`, ...e.args].join(' ') + '\n');
      continue;
    }
    const payload = { path: canonicalModulePath(e.module), args: e.args, ...(e.name !== e.module ? { name: e.name } : {}) };
    trace(o, `module.load ${JSON.stringify(payload)}`);
    const start = performance.now();
    try {
      await h.rpc('module.load', payload);
    } catch (err) {
      process.stderr.write(`${name}: ${(err as Error).message}\n`);
      return 1;
    }
    timing?.push({ name, starttime: (start - t0) / 1000, duration: (performance.now() - start) / 1000 });
    trace(o, `loaded ${name}`);
  }
  return 0;
}

/** Remove the plan's modules in order (one already gone is passed over); 0, or 1 after the first failure. */
export async function removeAll(h: Client, plan: readonly string[], o: PlanOptions): Promise<number> {
  for (const name of plan) {
    if (o.dryRun) {
      process.stdout.write(`remove ${name}\n`);
      continue;
    }
    trace(o, `module.remove ${name}`);
    try {
      await h.rpc('module.remove', { name });
    } catch (err) {
      if ((err as FluxError).errno === Errno.ENOENT) continue;
      process.stderr.write(`${name}: ${(err as Error).message}\n`);
      return 1;
    }
    trace(o, `removed ${name}`);
  }
  return 0;
}
