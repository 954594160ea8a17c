/**
 * `flux archive create`: RFC 37 file objects (lib/filemap/fileref.ts) for
 * PATHs, directories walked recursively, each directory after what it holds
 * (as Flux's dirwalk with DIRWALK_DEPTH). A regular file of at most the small
 * file threshold is held in its object (utf-8 text when it is valid UTF-8,
 * else base64); a larger one is cut into chunks stored as blobs (the sink),
 * its object a blobvec of them, chunks of zeros left out as holes. Symbolic
 * links keep their target; any other file type is refused, as is reading
 * more file data than the archive may hold.
 */
import * as fsp from 'node:fs/promises';
import { constants as C } from 'node:fs';
import { createHash } from 'node:crypto';
import type { BlobEntry, Fileref } from '../../lib/filemap/fileref';
import { FilemapError, sysError } from './errors';

export interface CollectParams {
  /** a regular file larger than this is stored as blobs */
  smallFileThreshold: number;
  /** bytes per blob */
  chunksize: number;
  /** file data (regular files' sizes) the archive may hold in all, and what it holds already */
  maxBytes: number;
  usedBytes: number;
  /** the archive's name, for the size-limit message */
  name: string;
  /** a human form of maxBytes */
  maxText: string;
  /** called with each path as it is archived (-v) */
  trace?: (path: string) => void;
  /** store one blob (bytes named by blobref) */
  storeBlob(blobref: string, bytes: Buffer): Promise<void>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Append the objects for each of paths to out. Throws FilemapError (one line). */
export async function collect(paths: readonly string[], p: CollectParams, out: Fileref[]): Promise<void> {
  for (const given of paths) {
    let st;
    try {
      st = await fsp.lstat(given);
    } catch (e) {
      throw sysError(given, e);
    }
    if (st.isDirectory()) await walk(given.length > 1 ? given.replace(/\/+$/, '') : given, p, out);
    else await add(given, p, out);
  }
}

/** the directory's contents (sorted), then the directory itself (not `.`) */
async function walk(dir: string, p: CollectParams, out: Fileref[]): Promise<void> {
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).sort();
  } catch (e) {
    throw sysError(dir, e);
  }
  for (const name of names) {
    const child = dir === '/' ? `/${name}` : `${dir}/${name}`;
    let st;
    try {
      st = await fsp.lstat(child);
    } catch (e) {
      throw sysError(child, e);
    }
    if (st.isDirectory()) await walk(child, p, out);
    else await add(child, p, out);
  }
  if (dir !== '.') await add(dir, p, out);
}

/** the path stored: relative, as tar(1) stores it */
function stored(path: string): string {
  const rel = path.replace(/^\/+/, '');
  return rel === '' ? '.' : rel;
}

async function add(path: string, p: CollectParams, out: Fileref[]): Promise<void> {
  p.trace?.(path);
  let fh: fsp.FileHandle | undefined;
  try {
    // not following a link, and not blocking on a FIFO (refused below)
    fh = await fsp.open(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw sysError(path, e);
  }
  try {
    const st = fh ? await fh.stat() : await fsp.lstat(path).catch((e: unknown) => Promise.reject(sysError(path, e)));
    const times = { mtime: Math.floor(st.mtimeMs / 1000), ctime: Math.floor(st.ctimeMs / 1000), mode: st.mode };
    if (st.isSymbolicLink()) {
      const target = await fsp.readlink(path).catch((e: unknown) => Promise.reject(sysError(`readlink ${path}`, e)));
      out.push({ path: stored(path), data: target, ...times });
    } else if (st.isDirectory()) {
      out.push({ path: stored(path), ...times });
    } else if (st.isFile() && fh) {
      if (p.usedBytes + st.size > p.maxBytes) throw new FilemapError(`${path}: archive ${p.name} would hold more than ${p.maxText} of file data, the most flux-ts keeps in one archive`);
      p.usedBytes += st.size;
      out.push(await regular(path, fh, st.size, times, p));
    } else throw new FilemapError(`${path}: unsupported file type`);
  } catch (e) {
    throw e instanceof FilemapError ? e : sysError(path, e);
  } finally {
    await fh?.close();
  }
}

async function regular(path: string, fh: fsp.FileHandle, size: number, times: { mtime: number; ctime: number; mode: number }, p: CollectParams): Promise<Fileref> {
  const base = { path: stored(path), size, ...times };
  if (size === 0) return base;
  if (size <= p.smallFileThreshold) {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    if (bytesRead < size) throw new FilemapError(`${path}: short read`);
    try {
      return { ...base, encoding: 'utf-8', data: utf8.decode(buf) };
    } catch {
      return { ...base, encoding: 'base64', data: buf.toString('base64') };
    }
  }
  const blobs: BlobEntry[] = [];
  const chunk = Buffer.alloc(Math.min(p.chunksize, size));
  const zeros = Buffer.alloc(chunk.length);
  for (let offset = 0; offset < size; ) {
    const want = Math.min(chunk.length, size - offset);
    const { bytesRead } = await fh.read(chunk, 0, want, offset);
    if (bytesRead < want) throw new FilemapError(`${path}: short read`);
    const bytes = chunk.subarray(0, want);
    // a chunk of zeros is a hole: extraction leaves it unwritten
    if (!bytes.equals(zeros.subarray(0, want))) {
      const blobref = `sha1-${createHash('sha1').update(bytes).digest('hex')}`;
      await p.storeBlob(blobref, Buffer.from(bytes));
      blobs.push([offset, want, blobref]);
    }
    offset += want;
  }
  return { ...base, encoding: 'blobvec', data: blobs };
}
