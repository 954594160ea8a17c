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
import { service } from './protocol';
import type { KvsProtocol } from '../../lib/protocol/kvs';

const kvsService = service<KvsProtocol>('kvs');

function checkKey(what: string, key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.split('.').some((w) => w === '')) {
    throw new FluxError(Errno.EINVAL, `kvs.${what}: invalid key ${JSON.stringify(key)}`);
  }
  return key;
}

/** The value at key (ENOENT if there is none). */
async function get<T = unknown>(h: Client, key: string): Promise<T> {
  // T is the caller's word for what it stored (the protocol says any JSON)
  return (await kvsService.call(h, 'get', { key: checkKey('get', key) })).value as T;
}

/** Store value (any JSON) at key, replacing what was there. */
async function put(h: Client, key: string, value: unknown): Promise<void> {
  if (value === undefined) throw new FluxError(Errno.EINVAL, 'kvs.put: a value is required');
  await kvsService.call(h, 'put', { key: checkKey('put', key), value });
}

/** Remove key (and, with recursive, every key below it); resolves with how many were removed. */
async function unlink(h: Client, key: string, opts: { recursive?: boolean } = {}): Promise<number> {
  for (const k of Object.keys(opts)) if (k !== 'recursive') throw new FluxError(Errno.EINVAL, `kvs.unlink: unknown option '${k}'`);
  return (await kvsService.call(h, 'unlink', { key: checkKey('unlink', key), recursive: opts.recursive === true })).count;
}

/** The keys below key ('' or '.': the whole store). */
async function dir(h: Client, key = ''): Promise<string[]> {
  const k = key === '' || key === '.' ? '' : checkKey('dir', key);
  return (await kvsService.call(h, 'dir', { key: k })).keys;
}

export interface KvsWatchOptions {
  /** wait for the key to be created (default: ENOENT if it does not exist) */
  waitcreate?: boolean;
}

/**
 * Follow key: for a value, the current value and then each new one put until
 * the loop is left (the key removed: the loop throws ENOENT; made a
 * directory: EISDIR, as Flux's watch fails); for an eventlog, each entry until
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
