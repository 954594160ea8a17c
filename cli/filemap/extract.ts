/**
 * `flux archive extract`: RFC 37 file objects written under the current
 * directory. Every member is checked before anything is written: an
 * absolute path or one with a `..` component is refused, as is a path that
 * goes through a symbolic link (one the archive made, or one already there),
 * so nothing is written outside the directory. Without overwrite an existing
 * file is an error (existing directories are used as they are). Modes are
 * the archived permission bits less the umask (as tar(1) does for a user);
 * the modes of the directories made are set last, so a read-only directory
 * still receives what the archive puts in it. Times are not restored.
 */
import * as fsp from 'node:fs/promises';
import { constants as C, type Stats } from 'node:fs';
import { checkFileref, components, kindOf, unsafePath, type Fileref } from '../../lib/filemap/fileref';
import { FilemapError, sysError } from './errors';

export interface ExtractOpts {
  overwrite: boolean;
  /** called with each member's path as it is extracted (-v) */
  trace?: (path: string) => void;
  /** the bytes of a blob (a blobvec entry); throws FilemapError when it cannot */
  loadBlob(blobref: string, what: string): Promise<Buffer>;
}

/** Every entry checked (the first bad one as a one-line reason), in order. */
export function checkArchive(entries: readonly unknown[]): Fileref[] {
  return entries.map((e) => {
    const f = checkFileref(e);
    if (typeof f === 'string') throw new FilemapError(f);
    const why = unsafePath(f.path);
    if (why !== undefined) throw new FilemapError(`${f.path}: ${why}`);
    return f;
  });
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** the process umask, read without changing it for longer than the call */
function currentUmask(): number {
  const u = process.umask(0o022);
  process.umask(u);
  return u;
}

export async function extract(entries: readonly Fileref[], o: ExtractOpts): Promise<void> {
  const umask = currentUmask();
  /** directories whose archived mode is set at the end: path -> mode */
  const dirModes = new Map<string, number>();
  /** directories this extraction made (for the members below them) */
  const made = new Set<string>();
  for (const f of entries) {
    o.trace?.(f.path);
    const parts = components(f.path);
    if (parts.length === 0) continue; // `.`: the directory extracted into
    try {
      await makeParents(f.path, parts, made);
      await extractOne(f, parts.join('/'), o, dirModes, made);
    } catch (e) {
      throw e instanceof FilemapError ? e : sysError(f.path, e);
    }
  }
  const deepestFirst = [...dirModes].sort(([a], [b]) => b.split('/').length - a.split('/').length);
  for (const [dir, mode] of deepestFirst) {
    await fsp.chmod(dir, mode & 0o777 & ~umask).catch((e: unknown) => Promise.reject(sysError(dir, e)));
  }
}

/** the directories above a member: made when missing; a link or a non-directory there is refused */
async function makeParents(member: string, parts: readonly string[], made: Set<string>): Promise<void> {
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const st = await lstatOrUndefined(dir);
    if (st === undefined) {
      await fsp.mkdir(dir, 0o777);
      made.add(dir);
    } else if (st.isSymbolicLink()) throw new FilemapError(`${member}: Cannot extract through symlink ${dir}`);
    else if (!st.isDirectory()) throw new FilemapError(`${member}: ${dir}: Not a directory`);
  }
}

async function extractOne(f: Fileref, target: string, o: ExtractOpts, dirModes: Map<string, number>, made: Set<string>): Promise<void> {
  const kind = kindOf(f.mode);
  const st = await lstatOrUndefined(target);
  if (kind === 'dir') {
    if (st?.isDirectory()) {
      // one that was there before keeps its mode, unless --overwrite
      if (o.overwrite || made.has(target)) dirModes.set(target, f.mode);
      return;
    }
    if (st) await replace(f, target, st, o);
    await fsp.mkdir(target, 0o700);
    made.add(target);
    dirModes.set(target, f.mode);
    return;
  }
  if (st) await replace(f, target, st, o);
  if (kind === 'link') {
    await fsp.symlink(f.data as string, target);
    return;
  }
  await writeFile(f, target, o);
}

/** an existing non-directory at target, removed for --overwrite, else refused (a directory in the way is refused) */
async function replace(f: Fileref, target: string, st: Stats, o: ExtractOpts): Promise<void> {
  if (st.isDirectory()) throw new FilemapError(`${f.path}: Is a directory`);
  if (!o.overwrite) {
    const hasData = kindOf(f.mode) === 'file' && f.data !== undefined;
    throw new FilemapError(hasData ? `${f.path}: write: Attempt to overwrite existing file` : `${f.path}: Already exists`);
  }
  await fsp.unlink(target);
}

async function writeFile(f: Fileref, target: string, o: ExtractOpts): Promise<void> {
  const fh = await fsp.open(target, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, f.mode & 0o777);
  try {
    if (f.encoding === 'blobvec') {
      for (const [offset, size, blobref] of f.data as Array<[number, number, string]>) {
        const what = `${f.path}: error loading offset=${offset} size=${size} from ${blobref}`;
        const bytes = await o.loadBlob(blobref, what);
        if (bytes.length !== size) throw new FilemapError(`${what}: unexpected size ${bytes.length}`);
        await fh.write(bytes, 0, size, offset);
      }
    } else if (typeof f.data === 'string') {
      await fh.write(Buffer.from(f.data, f.encoding === 'base64' ? 'base64' : 'utf8'), 0, undefined, 0);
    }
    // holes (a blobvec's unlisted regions, a file without data) up to its size
    if (f.size !== undefined && f.encoding !== 'utf-8' && f.encoding !== 'base64') await fh.truncate(f.size);
  } finally {
    await fh.close();
  }
}
