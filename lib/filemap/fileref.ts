/**
 * RFC 37 file system objects as flux-archive(1) keeps them: an archive is a
 * JSON array of objects {path, mode, size?, mtime?, ctime?, encoding?, data?}
 * (mode with its file type bits, as stat(2) gives it). A regular file's data
 * is `utf-8` text, `base64`, or a `blobvec`: [offset, size, blobref] entries
 * whose bytes are kept elsewhere (here: under the archive's `_blobs` key), the
 * regions not listed being holes (zeros). A file without data has neither.
 * A symbolic link's data is its target; a directory has no data.
 */

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

export type BlobEntry = [offset: number, size: number, blobref: string];

export interface Fileref {
  path: string;
  mode: number;
  size?: number;
  mtime?: number;
  ctime?: number;
  encoding?: 'utf-8' | 'base64' | 'blobvec';
  data?: string | BlobEntry[];
}

export type FileKind = 'file' | 'dir' | 'link';

export function kindOf(mode: number): FileKind | undefined {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'link';
    default:
      return undefined;
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * An archive entry checked for what extraction needs; a one-line reason
 * (naming the path when it has one) otherwise.
 */
export function checkFileref(o: unknown): Fileref | string {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'error decoding fileref object: not an object';
  const f = o as Record<string, unknown>;
  if (typeof f['path'] !== 'string') return 'error decoding fileref object: no path';
  const path = f['path'];
  if (!isInt(f['mode'])) return `${path}: error decoding fileref object: no mode`;
  for (const k of ['size', 'mtime', 'ctime']) if (f[k] !== undefined && !isInt(f[k])) return `${path}: error decoding fileref object: bad ${k}`;
  const kind = kindOf(f['mode']);
  if (kind === undefined) return `${path}: unknown file type (mode=0${f['mode'].toString(8)})`;
  const enc = f['encoding'];
  const data = f['data'];
  if (kind === 'link' && typeof data !== 'string') return `${path}: missing symlink data`;
  if (kind === 'file' && data !== undefined) {
    if (enc === 'blobvec') {
      const ok = Array.isArray(data) && data.every((e) => Array.isArray(e) && e.length === 3 && isInt(e[0]) && isInt(e[1]) && typeof e[2] === 'string');
      if (!ok) return `${path}: error decoding blobvec entry`;
    } else if (enc === 'utf-8' || enc === 'base64') {
      if (typeof data !== 'string') return `${path}: unexpected data type for ${enc}`;
    } else return `${path}: unknown RFC 37 encoding ${String(enc)}`;
  }
  return f as unknown as Fileref;
}

/**
 * One line of `flux archive list` (long: type, permission bits, size, path),
 * cut to width-1 characters with a `+` at the end when longer, as Flux's fixed
 * buffer does.
 */
export function prettyLine(o: unknown, long: boolean, width: number): string {
  const f = o as Partial<Fileref> | null;
  let line: string;
  if (typeof f !== 'object' || f === null || typeof f.path !== 'string' || !Number.isInteger(f.mode)) line = 'invalid fileref';
  else if (long) {
    const kind = kindOf(f.mode!);
    const type = kind === undefined ? '?' : { file: 'f', dir: 'd', link: 'l' }[kind];
    line = `${type} 0${(f.mode! & 0o777).toString(8)} ${String(f.size ?? 0).padStart(8)} ${f.path}`;
  } else line = f.path;
  return line.length >= width ? `${line.slice(0, width - 2)}+` : line;
}

/**
 * Why a member's path may not be extracted (absolute, or with a `..`
 * component), or undefined; the path's components otherwise come from
 * components().
 */
export function unsafePath(p: string): string | undefined {
  if (p === '') return 'Invalid empty pathname';
  if (p.startsWith('/')) return 'Path is absolute';
  if (p.split('/').includes('..')) return "Path contains '..'";
  return undefined;
}

/** the components of a safe member path, without `.` and empty ones */
export function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}
