/**
 * The kvs as a flux-dump(1) archive (tar, gzipped tar or zip, by the file's
 * name, as Flux's): one member per key, its path the key
 * with `.` as `/`, its content the value as `flux kvs get -r` gives it
 * (eventlogs as their RFC 18 lines), a link a symbolic link member, an empty
 * directory a directory member; no member for a directory that holds keys
 * (as Flux's, whose member count is its key count). Written with async I/O only, so the broker
 * (the kvs module's `content.dump` at shutdown) may use it as well as
 * `flux dump` (cli/commands/dump.ts).
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ArchiveFormat } from './format';

export { ARCHIVE_SUFFIXES, archiveFormat, type ArchiveFormat } from './format';

/** what to archive: the keys (values read one at a time), links and empty directories */
export interface KvsContent {
  readonly keys: readonly string[];
  readonly links: Readonly<Record<string, string>>;
  readonly dirs: readonly string[];
  value(key: string): unknown;
}

/** write `content` to `archive` in `format`; onKey runs after each key with its member path and count */
export async function writeKvsArchive(archive: string, content: KvsContent, format: ArchiveFormat, onKey?: (rel: string, n: number) => void): Promise<number> {
  if (format === 'zip') return writeZip(archive, content, onKey);
  const gzip = format === 'tgz';
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flux-dump-'));
  try {
    // the members, in order: only what Flux's archive holds (its keys), and empty directories (flux kvs mkdir)
    const members: string[] = [];
    for (const dir of content.dirs) {
      const rel = dir.split('.').join('/');
      await fsp.mkdir(path.join(tmp, rel), { recursive: true });
      members.push(rel);
    }
    let n = 0;
    for (const key of content.keys) {
      const rel = key.split('.').join('/');
      await fsp.mkdir(path.join(tmp, path.dirname(rel)), { recursive: true });
      const target = content.links[key];
      if (target !== undefined) {
        // a link is a symbolic link member whose target is the key it names
        await fsp.symlink(target, path.join(tmp, rel));
      } else {
        await fsp.writeFile(path.join(tmp, rel), memberBytes(await content.value(key)), { mode: 0o644 });
      }
      members.push(rel);
      n++;
      onKey?.(rel, n);
    }
    // N.B. loaded here, not at the top: tar pulls in node:assert, which a warm client (no stdio yet) cannot load;
    // noDirRecurse: a directory named is its own member, never what is below it (that is named on its own)
    if (members.length > 0) await (await import('tar')).c({ file: archive, cwd: tmp, gzip, portable: true, noDirRecurse: true }, members);
    else {
      // an empty kvs: an archive of no members is its end marker, two zero blocks
      const end = Buffer.alloc(1024);
      await fsp.writeFile(archive, gzip ? zlib.gzipSync(end) : end);
    }
    return n;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** value bytes of a key as a member holds them */
const memberBytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A zip of the same members, written as it goes (no temporary tree): files
 * deflated, mode 0644; a link a symbolic link member (its target as content,
 * S_IFLNK in the external attributes, as Info-ZIP and libarchive write them);
 * an empty directory a directory member.
 */
async function writeZip(archive: string, content: KvsContent, onKey?: (rel: string, n: number) => void): Promise<number> {
  const yazl = await import('yazl');
  const zip = new yazl.ZipFile();
  const out = createWriteStream(archive);
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject);
  });
  zip.outputStream.pipe(out);
  const mtime = new Date();
  let n = 0;
  try {
    for (const dir of content.dirs) zip.addEmptyDirectory(dir.split('.').join('/'), { mtime, mode: 0o40755 });
    for (const key of content.keys) {
      const rel = key.split('.').join('/');
      const target = content.links[key];
      if (target !== undefined) zip.addBuffer(Buffer.from(target), rel, { mtime, mode: 0o120777, compress: false });
      else zip.addBuffer(memberBytes(await content.value(key)), rel, { mtime, mode: 0o100644 });
      n++;
      onKey?.(rel, n);
    }
  } finally {
    zip.end();
  }
  await done;
  return n;
}
