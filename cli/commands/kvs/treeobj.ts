/**
 * RFC 11 tree objects as flux-ts can give them honestly (flux kvs get -t,
 * put -t): a value is a `val` (its bytes in base64), a link a `symlink`. A
 * directory has none: its RFC 11 form is a `dirref` naming blobs in a content
 * store, and flux-ts has no content store.
 */
import { valueText } from './format';

/** the `val` treeobj of a value, with Flux's key order */
export function valTreeobj(v: unknown): string {
  return JSON.stringify({ data: Buffer.from(valueText(v), 'utf8').toString('base64'), type: 'val', ver: 1 });
}

export function symlinkTreeobj(target: string): string {
  return JSON.stringify({ data: { target }, type: 'symlink', ver: 1 });
}

/** what a treeobj given to put -t stores: a value, a link, or a line that says why not */
export type Stored = { value: string } | { target: string } | { error: string };

export function fromTreeobj(text: string): Stored {
  let o: { type?: unknown; ver?: unknown; data?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    return { error: 'not a JSON treeobj' };
  }
  if (typeof o !== 'object' || o === null || o.ver !== 1) return { error: 'not an RFC 11 treeobj (ver 1)' };
  if (o.type === 'val' && typeof o.data === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(o.data)) return { value: Buffer.from(o.data, 'base64').toString('utf8') };
  if (o.type === 'symlink' && typeof o.data === 'object' && o.data !== null) {
    const d = o.data as { target?: unknown; namespace?: unknown };
    if (d.namespace !== undefined) return { error: 'a symlink to another namespace: flux-ts has only "primary"' };
    if (typeof d.target === 'string') return { target: d.target };
  }
  if (o.type === 'valref' || o.type === 'dirref') return { error: `a ${o.type} names blobs in a content store, and flux-ts has none` };
  if (o.type === 'dir') return { error: 'a dir treeobj: use flux kvs mkdir and put (flux-ts stores no treeobjs)' };
  return { error: 'not a val or symlink treeobj' };
}
