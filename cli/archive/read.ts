/**
 * Reading a flux-dump(1) archive (tar, gzipped or not, told apart by its
 * content) for flux-restore(1): one member per key, its path the key with `/`
 * for `.`. A member whose text is RFC 18 lines ending in a newline is an
 * eventlog; any other a value (JSON when it parses, else the string).
 */

export interface Member {
  /** the member's path in the archive */
  path: string;
  /** the kvs key it restores */
  key: string;
  size: number;
  text: string;
  /** a symbolic link member: the key it names */
  link?: string;
  /** an empty directory (a directory member with nothing below it) */
  dir?: true;
}

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

export type ArchiveValue = { eventlog: true; entries: Entry[] } | { eventlog: false; value: unknown };

/** `--size-limit`: a number (fraction allowed) with an optional b, k, M or G suffix; null when malformed */
export function parseSizeLimit(text: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([bkMG]?)$/.exec(text.trim());
  if (!m) return null;
  const mult = { '': 1, b: 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'b' | 'k' | 'M' | 'G'];
  return Math.floor(Number(m[1]) * mult);
}

/** RFC 18 lines, or undefined when the text is not an eventlog */
function eventlogEntries(text: string): Entry[] | undefined {
  if (!text.endsWith('\n')) return undefined;
  const out: Entry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      return undefined;
    }
    const o = e as Partial<Entry> | null;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.timestamp !== 'number') return undefined;
    out.push(o as Entry);
  }
  return out.length > 0 ? out : undefined;
}

/** what a member's text restores */
export function archiveValue(text: string): ArchiveValue {
  const entries = eventlogEntries(text);
  if (entries) return { eventlog: true, entries };
  try {
    return { eventlog: false, value: JSON.parse(text) as unknown };
  } catch {
    return { eventlog: false, value: text };
  }
}

/**
 * Every file member of the archive, those over sizeLimit apart. Throws an
 * Error with one line (no such file, not an archive, a damaged one).
 */
export async function readArchive(file: string, sizeLimit?: number): Promise<{ members: Member[]; skipped: Member[] }> {
  // N.B. loaded here, not at the top: tar pulls in node:assert, which a warm client (no stdio yet) cannot load
  const tar = await import('tar');
  const members: Member[] = [];
  const skipped: Member[] = [];
  const dirs: Member[] = [];
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (e) => {
        const p = e.path.replace(/^\.\//, '');
        const key = p.split('/').filter(Boolean).join('.');
        if (key !== '' && e.type === 'SymbolicLink' && e.linkpath) {
          members.push({ path: p, key, size: 0, text: '', link: e.linkpath });
          e.resume();
          return;
        }
        if (key !== '' && e.type === 'Directory') dirs.push({ path: p.replace(/\/$/, ''), key, size: 0, text: '', dir: true });
        if (e.type !== 'File' || key === '') {
          e.resume();
          return;
        }
        if (sizeLimit !== undefined && e.size > sizeLimit) {
          skipped.push({ path: p, key, size: e.size, text: '' });
          e.resume();
          return;
        }
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => members.push({ path: p, key, size: e.size, text: Buffer.concat(chunks).toString('utf8') }));
      },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error('No such file or directory', { cause: e });
    if (err.code === 'EACCES') throw new Error('Permission denied', { cause: e });
    throw new Error(err.message.replace(/^TAR_[A-Z_]+: /, '').split('\n')[0]!, { cause: e });
  }
  // empty directories first (restoring one replaces what its key held)
  const empty = dirs.filter((d) => !members.some((m) => m.key.startsWith(d.key + '.')) && !dirs.some((o) => o.key.startsWith(d.key + '.')));
  return { members: [...empty, ...members], skipped };
}
