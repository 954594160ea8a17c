/**
 * The keys of a request made in a job's namespace (job-spaces.ts), moved
 * below its directory in the primary namespace (`job.<id>.guest`), and the
 * keys of the answer and of an error moved back.
 */
import { FluxError } from '../../kernel/api';

type Payload = Record<string, unknown>;

const under = (prefix: string, key: unknown): unknown => {
  if (key === undefined || key === null || key === '' || key === '.') return prefix;
  return typeof key === 'string' ? `${prefix}.${key}` : key;
};

/**
 * Move a request's keys below `prefix` (in place). `fromJob` gives the
 * directory of a copy's source namespace when it is a job's, else undefined.
 */
export function inward(p: Payload, prefix: string, fromJob: (ns: string) => string | undefined): void {
  if ('key' in p || p['ops'] === undefined) p['key'] = under(prefix, p['key']);
  if (typeof p['target'] === 'string') p['target'] = under(prefix, p['target']);
  const ops = p['ops'];
  if (!Array.isArray(ops)) return;
  for (const o of ops as Payload[]) {
    if (o === null || typeof o !== 'object') continue;
    if (o['op'] === 'copy') {
      o['dst'] = under(prefix, o['dst']);
      if (typeof o['from'] !== 'string') o['src'] = under(prefix, o['src']);
      continue;
    }
    o['key'] = under(prefix, o['key']);
    if (o['op'] === 'link') o['target'] = under(prefix, o['target']);
  }
  sourcesInward(p, fromJob);
}

/**
 * A commit's copies whose source namespace (`from`, flux kvs copy -S) is a
 * job's: the source key moved below the job's directory, in the primary
 * namespace (in place). `fromJob` gives the directory, else undefined.
 */
export function sourcesInward(p: Payload, fromJob: (ns: string) => string | undefined): void {
  const ops = p['ops'];
  if (!Array.isArray(ops)) return;
  for (const o of ops as Payload[]) {
    if (o === null || typeof o !== 'object' || o['op'] !== 'copy' || typeof o['from'] !== 'string') continue;
    const src = fromJob(o['from']);
    if (src === undefined) continue;
    o['src'] = under(src, o['src']);
    o['from'] = 'primary';
  }
}

/** a key of the primary namespace as the job's namespace names it */
function back(prefix: string, key: string): string {
  if (key === prefix) return '.';
  return key.startsWith(prefix + '.') ? key.slice(prefix.length + 1) : key;
}

/** an answer's keys (dir, readlink) back in the job's namespace */
export function outward<T>(r: T, prefix: string): T {
  if (r === null || typeof r !== 'object') return r;
  const o = r as Payload;
  const out: Payload = { ...o };
  if (Array.isArray(o['keys'])) out['keys'] = (o['keys'] as string[]).map((k) => back(prefix, k));
  if (Array.isArray(o['dirs'])) out['dirs'] = (o['dirs'] as string[]).map((k) => back(prefix, k));
  if (typeof o['target'] === 'string') out['target'] = back(prefix, o['target']);
  const links = o['links'];
  if (links !== null && typeof links === 'object') {
    out['links'] = Object.fromEntries(Object.entries(links as Record<string, string>).map(([k, t]) => [back(prefix, k), back(prefix, t)]));
  }
  return out as T;
}

/** an error's text with the job's directory taken out of the keys it names */
export function errorOutward(e: unknown, prefix: string): unknown {
  if (e instanceof FluxError && e.message.includes(prefix)) e.message = e.message.split(`${prefix}.`).join('').split(prefix).join('.');
  return e;
}
