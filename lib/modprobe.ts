/**
 * modules/modprobe.toml of this build: the modules rc1 loads, in order, and on
 * which ranks. Read once per process (a thousand in-process brokers share it;
 * brokers forked by the zygote inherit it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { idset } from './formats';

export interface ModprobeEntry {
  name: string;
  /** "all" (default) or "leader" */
  ranks?: string;
  args?: string[];
}

let table: ModprobeEntry[] | undefined;

/** The table; a file that is missing is an empty table, any other error throws. */
export function modprobeTable(): ModprobeEntry[] {
  if (table !== undefined) return table;
  // the source tree's modules/ (beside dist/), as kernel/module/resolve.ts finds the build's
  const file = path.resolve(__dirname, '..', '..', 'modules', 'modprobe.toml');
  try {
    table = (parseToml(fs.readFileSync(file, 'utf8')) as { module?: ModprobeEntry[] }).module ?? [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    table = [];
  }
  return table;
}

/**
 * Where an entry's `ranks` loads it: "all" (the default), "leader" (rank 0),
 * an RFC 22 idset ("0,2-3"), or Flux's ">N" / "<N" (every rank above or
 * below N). Undefined: not one of those.
 */
export function ranksMatcher(ranks: string | undefined): ((rank: number) => boolean) | undefined {
  const r = (ranks ?? 'all').trim();
  if (r === 'all') return () => true;
  if (r === 'leader') return (rank) => rank === 0;
  const cmp = /^([<>])\s*(\d+)$/.exec(r);
  if (cmp) return cmp[1] === '>' ? (rank) => rank > Number(cmp[2]) : (rank) => rank < Number(cmp[2]);
  let ids: Set<number>;
  try {
    ids = new Set(idset.decode(r));
  } catch {
    return undefined;
  }
  return ids.size > 0 ? (rank) => ids.has(rank) : undefined;
}

/** One module's updates from the broker config's [modules] table (Flux's `[modules] NAME.ranks`, `NAME.args`). */
interface ModuleUpdate {
  ranks?: string;
  args?: string[];
}

/** The first [modules] update of a module the table does not have, as one line (rc1 fails with it). */
export function unknownModuleUpdate(doc: readonly ModprobeEntry[], modules: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const name = Object.keys(modules ?? {}).find((n) => n !== 'disable' && !doc.some((m) => m.name === n));
  return name === undefined ? undefined : `modules.${name}: no module ${name} in the module table (${doc.map((m) => m.name).join(', ')})`;
}

/**
 * The module table with the broker config's [modules] table applied: `disable`
 * leaves modules out, `NAME.ranks` and `NAME.args` replace the entry's.
 */
export function configuredTable(doc: readonly ModprobeEntry[], modules: Readonly<Record<string, unknown>> | undefined, honourDisable = true): ModprobeEntry[] {
  const skip = new Set(honourDisable && Array.isArray(modules?.['disable']) ? (modules['disable'] as unknown[]).map(String) : []);
  return doc
    .filter((m) => !skip.has(m.name))
    .map((m) => {
      const u = modules?.[m.name] as ModuleUpdate | undefined;
      return u === undefined ? m : { ...m, ...(u.ranks !== undefined ? { ranks: u.ranks } : {}), ...(u.args !== undefined ? { args: u.args } : {}) };
    });
}
