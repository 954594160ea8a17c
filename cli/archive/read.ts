/**
 * Reading a flux-dump(1) archive (tar, gzipped or not, or zip: told apart by
 * its content, lib/kvs-archive/read.ts) for flux-restore(1): one member per key, its path the key with `/`
 * for `.`. A member whose text is RFC 18 lines ending in a newline is an
 * eventlog; any other a value (JSON when it parses, else the string).
 */

import { readKvsArchive } from '../../lib/kvs-archive/read';

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
  const members: Member[] = [];
  const skipped: Member[] = [];
  const dirs: Member[] = [];
  for (const m of await readKvsArchive(file, (_p, size) => sizeLimit === undefined || size <= sizeLimit)) {
    const key = m.path.split('/').filter(Boolean).join('.');
    if (key === '') continue;
    if (m.type === 'link') members.push({ path: m.path, key, size: 0, text: '', link: m.link! });
    else if (m.type === 'dir') dirs.push({ path: m.path, key, size: 0, text: '', dir: true });
    else if (m.data === undefined) skipped.push({ path: m.path, key, size: m.size, text: '' });
    else members.push({ path: m.path, key, size: m.size, text: m.data.toString('utf8') });
  }
  // empty directories first (restoring one replaces what its key held)
  const empty = dirs.filter((d) => !members.some((m) => m.key.startsWith(d.key + '.')) && !dirs.some((o) => o.key.startsWith(d.key + '.')));
  return { members: [...empty, ...members], skipped };
}
