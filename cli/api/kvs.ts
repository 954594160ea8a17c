/**
 * The instance's key-value store from a script (as Flux's Python `flux.kvs`):
 * keys are dotted paths (`user.myapp.state`); values are JSON. A change is
 * answered once it is stored. watch() follows a key as an async iterator.
 */
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import type { Client } from './client';
import type { Channel } from './channel';
import { watchKvs } from './watch';

function checkKey(what: string, key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.split('.').some((w) => w === '')) {
    throw new FluxError(Errno.EINVAL, `kvs.${what}: invalid key ${JSON.stringify(key)}`);
  }
  return key;
}

/** The value at key (ENOENT if there is none). */
async function get<T = unknown>(h: Client, key: string): Promise<T> {
  return (await h.rpc<{ value: T }>('kvs.get', { key: checkKey('get', key) })).value;
}

/** Store value (any JSON) at key, replacing what was there. */
async function put(h: Client, key: string, value: unknown): Promise<void> {
  if (value === undefined) throw new FluxError(Errno.EINVAL, 'kvs.put: a value is required');
  await h.rpc('kvs.put', { key: checkKey('put', key), value });
}

/** Remove key (and, with recursive, every key below it); resolves with how many were removed. */
async function unlink(h: Client, key: string, opts: { recursive?: boolean } = {}): Promise<number> {
  for (const k of Object.keys(opts)) if (k !== 'recursive') throw new FluxError(Errno.EINVAL, `kvs.unlink: unknown option '${k}'`);
  return (await h.rpc<{ count: number }>('kvs.unlink', { key: checkKey('unlink', key), recursive: opts.recursive === true })).count;
}

/** The keys below key ('' or '.': the whole store). */
async function dir(h: Client, key = ''): Promise<string[]> {
  const k = key === '' || key === '.' ? '' : checkKey('dir', key);
  return (await h.rpc<{ keys: string[] }>('kvs.dir', { key: k })).keys;
}

export interface KvsWatchOptions {
  /** wait for the key to be created (default: ENOENT if it does not exist) */
  waitcreate?: boolean;
}

/**
 * Follow key: for a value, the current value and then each new one put (until
 * the key is removed or the loop is left); for an eventlog, each entry until
 * the log is closed.
 */
function watch<T = unknown>(h: Client, key: string, opts: KvsWatchOptions = {}): Channel<T> {
  for (const k of Object.keys(opts)) if (k !== 'waitcreate') throw new FluxError(Errno.EINVAL, `kvs.watch: unknown option '${k}'`);
  return watchKvs<T>(h, checkKey('watch', key), {
    waitcreate: opts.waitcreate === true,
    values: true,
    unpack: (p) => {
      const r = (p ?? {}) as { value?: T; entries?: T[] };
      if ('value' in r) return [r.value as T];
      return Array.isArray(r.entries) ? r.entries : [];
    },
  });
}

export const kvs = { get, put, unlink, dir, watch };
