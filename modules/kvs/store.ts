/**
 * The KVS store: keys map to a JSON value (kept serialized, so stored objects
 * are compact and never aliased) or to an RFC 18 eventlog (JSON lines text,
 * append-only, optionally closed). No per-key closures or timers.
 */
import { einval, enoent } from '../../kernel/api';

export interface EventEntry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

interface ValueEntry {
  log: false;
  json: string;
}
interface LogEntry {
  log: true;
  text: string;
  closed: boolean;
}
type Entry = ValueEntry | LogEntry;

const KEY_RE = /^[^.\s][^\s]*$/;

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key) || key.endsWith('.') || key.includes('..')) {
    throw einval(`invalid key ${JSON.stringify(key)}`);
  }
  return key;
}

/** Validate and normalise eventlog entries (timestamp defaults to now). */
export function checkEntries(entries: unknown): EventEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) throw einval('entries must be a non-empty array');
  return entries.map((e: unknown) => {
    const o = e as Partial<EventEntry> | null;
    if (!o || typeof o !== 'object' || typeof o.name !== 'string' || o.name.length === 0 || /\s/.test(o.name)) {
      throw einval(`invalid eventlog entry ${JSON.stringify(e)}`);
    }
    const ts = typeof o.timestamp === 'number' && o.timestamp > 0 ? o.timestamp : Date.now() / 1000;
    const out: EventEntry = { timestamp: ts, name: o.name };
    if (o.context !== undefined) {
      if (typeof o.context !== 'object' || o.context === null || Array.isArray(o.context)) {
        throw einval(`invalid eventlog context in ${JSON.stringify(e)}`);
      }
      out.context = o.context;
    }
    return out;
  });
}

export function parseLog(text: string): EventEntry[] {
  const out: EventEntry[] = [];
  for (const line of text.split('\n')) if (line.length > 0) out.push(JSON.parse(line) as EventEntry);
  return out;
}

export class Store {
  private readonly map = new Map<string, Entry>();

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  isLog(key: string): boolean {
    return this.map.get(key)?.log === true;
  }

  isClosed(key: string): boolean {
    const e = this.map.get(key);
    return e?.log === true && e.closed;
  }

  /** The value (an eventlog reads as its JSON-lines text). */
  get(key: string): unknown {
    const e = this.map.get(key);
    if (!e) throw enoent(`${key}: No such file or directory`);
    return e.log ? e.text : (JSON.parse(e.json) as unknown);
  }

  entries(key: string): EventEntry[] {
    const e = this.map.get(key);
    if (!e) throw enoent(`${key}: No such file or directory`);
    if (!e.log) throw einval(`${key}: not an eventlog`);
    return parseLog(e.text);
  }

  put(key: string, value: unknown): void {
    if (value === undefined) throw einval(`${key}: missing value`);
    this.map.set(key, { log: false, json: JSON.stringify(value) });
  }

  append(key: string, entries: readonly EventEntry[]): void {
    const text = entries.map((e) => JSON.stringify(e) + '\n').join('');
    const e = this.map.get(key);
    if (!e) {
      this.map.set(key, { log: true, text, closed: false });
      return;
    }
    if (!e.log) throw einval(`${key}: not an eventlog`);
    if (e.closed) throw einval(`${key}: eventlog is closed`);
    e.text += text;
  }

  close(key: string): void {
    const e = this.map.get(key);
    if (!e) {
      this.map.set(key, { log: true, text: '', closed: true });
      return;
    }
    if (e.log) {
      e.closed = true;
      // appends leave a rope of small strings; keep one flat copy
      e.text = Buffer.from(e.text, 'utf8').toString('utf8');
    }
  }

  /** Remove a key, or with recursive every key below it too; returns how many. */
  unlink(key: string, recursive: boolean): number {
    let n = this.map.delete(key) ? 1 : 0;
    if (recursive) {
      const prefix = key + '.';
      for (const k of this.map.keys()) {
        if (k.startsWith(prefix)) {
          this.map.delete(k);
          n++;
        }
      }
    }
    return n;
  }

  /** Keys directly or indirectly below a directory ('' = all). */
  keys(dir: string): string[] {
    const prefix = dir === '' ? '' : dir + '.';
    return [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
