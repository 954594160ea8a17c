/**
 * The pool's size: `[cli-pool] size` in the broker config, overridden by the
 * module argument `size=N` (`flux module reload cli-pool size=4`).
 */
import { Errno, FluxError } from '../../kernel/api';

type Obj = Record<string, unknown>;

export const DEFAULT_SIZE = 2;
const MAX_SIZE = 64;

function bad(text: string): FluxError {
  return new FluxError(Errno.EINVAL, text);
}

function checkSize(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_SIZE) {
    throw bad(`${where}: must be an integer from 0 to ${MAX_SIZE}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function poolSize(config: Readonly<Obj>, args: ReadonlyMap<string, string>): number {
  let size = DEFAULT_SIZE;
  const table = config['cli-pool'];
  if (table !== undefined) {
    if (typeof table !== 'object' || table === null || Array.isArray(table)) throw bad('[cli-pool] must be a table');
    const t = table as Obj;
    for (const k of Object.keys(t)) if (k !== 'size') throw bad(`cli-pool.${k}: unknown key`);
    if (t['size'] !== undefined) size = checkSize(t['size'], 'cli-pool.size');
  }
  for (const [k, v] of args) {
    if (k !== 'size') throw bad(`cli-pool: unknown argument "${k}"`);
    size = checkSize(/^\d+$/.test(v) ? Number(v) : v, 'cli-pool: size');
  }
  return size;
}
