/**
 * Reading a flux-dump(1) archive: a tar (gzipped or not) or a zip, told apart
 * by its first bytes, as Flux's libarchive does. Each member is a file (a
 * key's value), a symbolic link (a kvs link, its target the key it names) or
 * a directory. Used by flux-restore(1) and by the kvs module
 * (`content.restore`, `flux restore --checkpoint`); async I/O only.
 */
import { promises as fsp } from 'node:fs';

export interface ArchiveMember {
  /** the member's path, without a leading `./` or a trailing `/` */
  path: string;
  type: 'file' | 'link' | 'dir';
  size: number;
  /** a file's bytes: absent for a file `want` declined */
  data?: Buffer;
  /** a link's target */
  link?: string;
}

/** unix file type bits of a zip member's external attributes (the high 16 bits) */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/**
 * Every member of the archive, in order. A file's data is read only when
 * `want(path, size)` says so (a size limit). Throws an Error of one line: no
 * such file, not an archive, a damaged one.
 */
export async function readKvsArchive(file: string, want: (path: string, size: number) => boolean = () => true): Promise<ArchiveMember[]> {
  let head: Buffer;
  try {
    const fh = await fsp.open(file, 'r');
    try {
      head = Buffer.alloc(4);
      await fh.read(head, 0, 4, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw oneLine(e);
  }
  // "PK\3\4" (a member), "PK\5\6" (an empty zip's end record)
  const zip = head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
  try {
    return zip ? await readZip(file, want) : await readTar(file, want);
  } catch (e) {
    throw oneLine(e);
  }
}

function oneLine(e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new Error('No such file or directory', { cause: e });
  if (err.code === 'EACCES') return new Error('Permission denied', { cause: e });
  if (err.code === 'EISDIR') return new Error('Is a directory', { cause: e });
  return new Error(String(err.message).replace(/^TAR_[A-Z_]+: /, '').split('\n')[0]!, { cause: e });
}

const clean = (p: string) => p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

async function readTar(file: string, want: (path: string, size: number) => boolean): Promise<ArchiveMember[]> {
  // N.B. loaded here, not at the top: tar pulls in node:assert, which a warm client (no stdio yet) cannot load
  const tar = await import('tar');
  const out: ArchiveMember[] = [];
  await tar.t({
    file,
    // a file that is not an archive is an error, not an empty archive
    strict: true,
    onReadEntry: (e) => {
      const p = clean(e.path);
      if (e.type === 'SymbolicLink' && e.linkpath) {
        out.push({ path: p, type: 'link', size: 0, link: e.linkpath });
      } else if (e.type === 'Directory') {
        out.push({ path: p, type: 'dir', size: 0 });
      } else if (e.type === 'File' && want(p, e.size)) {
        const member: ArchiveMember = { path: p, type: 'file', size: e.size };
        out.push(member);
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => (member.data = Buffer.concat(chunks)));
        return;
      } else if (e.type === 'File') {
        out.push({ path: p, type: 'file', size: e.size });
      }
      e.resume();
    },
  });
  return out;
}

async function readZip(file: string, want: (path: string, size: number) => boolean): Promise<ArchiveMember[]> {
  const yauzl = await import('yauzl');
  const zip = await new Promise<import('yauzl').ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const read = (entry: import('yauzl').Entry) =>
    new Promise<Buffer>((resolve, reject) =>
      zip.openReadStream(entry, (err, s) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => resolve(Buffer.concat(chunks)));
        s.on('error', reject);
      }),
    );
  const out: ArchiveMember[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: import('yauzl').Entry) => {
      void (async () => {
        const p = clean(entry.fileName);
        const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
        if (type === S_IFLNK) out.push({ path: p, type: 'link', size: 0, link: (await read(entry)).toString('utf8') });
        else if (type === S_IFDIR || entry.fileName.endsWith('/')) out.push({ path: p, type: 'dir', size: 0 });
        else if (want(p, entry.uncompressedSize)) out.push({ path: p, type: 'file', size: entry.uncompressedSize, data: await read(entry) });
        else out.push({ path: p, type: 'file', size: entry.uncompressedSize });
        zip.readEntry();
      })().catch(reject);
    });
    zip.readEntry();
  });
  return out;
}
