/**
 * The kvs as a flux-dump(1) archive: one tar member per key, its path the key
 * with `.` as `/`, its content the value as `flux kvs get -r` gives it
 * (eventlogs as their RFC 18 lines), a link a symbolic link member, an empty
 * directory a directory member. Written with async I/O only, so the broker
 * (the kvs module's `content.dump` at shutdown) may use it as well as
 * `flux dump` (cli/commands/dump.ts).
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** what to archive: the keys (values read one at a time), links and empty directories */
export interface KvsContent {
  readonly keys: readonly string[];
  readonly links: Readonly<Record<string, string>>;
  readonly dirs: readonly string[];
  value(key: string): unknown;
}

/** the archive's format from its name: `.tar`, `.tgz` or `.tar.gz`; undefined for another */
export function archiveFormat(file: string): 'tar' | 'tgz' | undefined {
  if (/\.(tgz|tar\.gz)$/.test(file)) return 'tgz';
  return file.endsWith('.tar') ? 'tar' : undefined;
}

/** write `content` to `archive` (tar, gzipped when `gzip`); onKey runs after each key with its member path and count */
export async function writeKvsArchive(archive: string, content: KvsContent, gzip: boolean, onKey?: (rel: string, n: number) => void): Promise<number> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flux-dump-'));
  try {
    const top = new Set<string>();
    let n = 0;
    // empty directories (flux kvs mkdir) are directory members with nothing below them
    for (const dir of content.dirs) {
      await fsp.mkdir(path.join(tmp, ...dir.split('.')), { recursive: true });
      top.add(dir.split('.')[0]!);
    }
    for (const key of content.keys) {
      const rel = key.split('.').join('/');
      await fsp.mkdir(path.join(tmp, path.dirname(rel)), { recursive: true });
      const target = content.links[key];
      if (target !== undefined) {
        // a link is a symbolic link member whose target is the key it names
        await fsp.symlink(target, path.join(tmp, rel));
      } else {
        const value = await content.value(key);
        await fsp.writeFile(path.join(tmp, rel), typeof value === 'string' ? value : JSON.stringify(value), { mode: 0o644 });
      }
      top.add(rel.split('/')[0]!);
      n++;
      onKey?.(rel, n);
    }
    // N.B. loaded here, not at the top: tar pulls in node:assert, which a warm client (no stdio yet) cannot load
    if (top.size > 0) await (await import('tar')).c({ file: archive, cwd: tmp, gzip, portable: true }, [...top].sort());
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
