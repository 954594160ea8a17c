/**
 * Where module tables come from: the installation's modules/modprobe.toml,
 * then each directory of the search path's `modprobe.d/*.toml` in name order
 * (FLUX_MODPROBE_PATH, colon-separated, replaces the default search path,
 * which is empty; FLUX_MODPROBE_PATH_APPEND adds to it). A later file's
 * `[[modules]]` entry of a name already defined replaces it; a `NAME.KEY`
 * key updates one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isTable } from '../config-schema';
import { readBoundedFile } from '../read-bounded';
import { ModuleDb } from './db';
import type { ModuleEntry } from './entry';

/** the installation's table (the source tree's modules/, beside dist/) */
export const BUILTIN_TABLE = path.resolve(__dirname, '..', '..', '..', 'modules', 'modprobe.toml');

/** a table file's largest size: it is read whole */
const MAX_TABLE_BYTES = 1 << 20;

let builtin: ModuleDb | undefined;

/** The installation's table, read, parsed and checked once per process (a thousand in-process brokers share it). */
function builtinTable(): ModuleDb {
  if (builtin === undefined) {
    const db = new ModuleDb();
    addDoc(db, parseTable(fs.readFileSync(BUILTIN_TABLE, 'utf8'), BUILTIN_TABLE), BUILTIN_TABLE);
    builtin = db;
  }
  return builtin;
}

function parseTable(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}

/** Add one table file's text to the db; throws one line naming the file and key. */
export function addTable(db: ModuleDb, text: string, file: string): void {
  addDoc(db, parseTable(text, file), file);
}

function addDoc(db: ModuleDb, doc: Readonly<Record<string, unknown>>, file: string): void {
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'modules') {
      if (!Array.isArray(value)) throw new Error(`${file}: modules: must be an array of tables ([[modules]])`);
      value.forEach((raw, i) => {
        try {
          anchor(db.add(raw, `modules[${i}]`), file);
        } catch (e) {
          throw new Error(`${file}: invalid modules entry: ${(e as Error).message}`, { cause: e });
        }
      });
    } else if (isTable(value)) {
      db.update(key, value, `${file}: ${key}`);
      anchor(db.entry(key)!, file);
    } else {
      throw new Error(`${file}: ${key}: not [[modules]] nor a table of updates of a module`);
    }
  }
}

/** A relative module path in a table file is relative to the file's folder. */
function anchor(e: ModuleEntry, file: string): void {
  if (e.module.includes('/') && !path.isAbsolute(e.module)) e.module = path.resolve(path.dirname(file), e.module);
}

/** The search path's directories (FLUX_MODPROBE_PATH, then FLUX_MODPROBE_PATH_APPEND), without repeats. */
export function searchPath(env: NodeJS.ProcessEnv): string[] {
  const split = (v: string | undefined) => (v ?? '').split(':').filter((d) => d.trim() !== '');
  return [...new Set([...split(env['FLUX_MODPROBE_PATH']), ...split(env['FLUX_MODPROBE_PATH_APPEND'])])];
}

export interface TableRead {
  db: ModuleDb;
  /** what was looked at and read, in order (flux modprobe -v) */
  trace: string[];
}

/** The installation's table and the search path's, read without blocking the loop. */
export async function readTables(env: NodeJS.ProcessEnv): Promise<TableRead> {
  const db = builtinTable().copy();
  const trace = [`checking ${BUILTIN_TABLE}`, `loading ${BUILTIN_TABLE}`];
  for (const dir of searchPath(env)) {
    const d = path.join(dir, 'modprobe.d');
    trace.push(`checking ${d}/*.toml`);
    let names: string[];
    try {
      names = (await fs.promises.readdir(d)).filter((n) => n.endsWith('.toml')).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw new Error(`${d}: ${(e as Error).message}`, { cause: e });
    }
    for (const n of names) {
      const file = path.join(d, n);
      trace.push(`loading ${file}`);
      addTable(db, await readTableText(file), file);
    }
  }
  return { db, trace };
}

async function readTableText(file: string): Promise<string> {
  try {
    return await readBoundedFile(file, MAX_TABLE_BYTES);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** One table file alone (flux modprobe show --path). */
export async function readTableFile(file: string): Promise<TableRead> {
  const db = new ModuleDb();
  addTable(db, await readTableText(file), file);
  return { db, trace: [`loading ${file}`] };
}

/** The installation's table alone (the zygote's preload: which modules a follower loads). */
export function builtinDb(): ModuleDb {
  return builtinTable().copy();
}
