/**
 * modules/modprobe.toml of this build: the modules rc1 loads, in order, and on
 * which ranks. Read once per process (a thousand in-process brokers share it;
 * brokers forked by the zygote inherit it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';

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
