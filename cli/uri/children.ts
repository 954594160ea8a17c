/**
 * Descending into child instances (`flux jobs -R`): of the jobs just listed,
 * those that run a Flux instance (their rank 0 posted `memo {uri}`) are
 * opened in turn and listed under a heading that is their path of job ids
 * (`ƒA:`, then `ƒA/ƒB:` a level down), depth first, as Flux does. Up to
 * `threads` instances are opened at a time; their listings print in order.
 * One that cannot be reached says so on stderr instead of printing nothing.
 */
import * as os from 'node:os';
import { Client } from '../api/client';
import { encodeF58 } from '../../lib/formats';
import type { JobRecord } from '../jobspec/job-info';
import { instanceUri, usable } from './resolve';
import { instanceFields } from '../jobspec/instance-fields';

/** job state RUN: only a running job has an instance to open */
const RUN = 16;

export interface ChildListing {
  jobs: JobRecord[];
  lines: string[];
}

export interface DescendOpts {
  /** how many levels below this one (Infinity: all) */
  levels: number;
  /** other users' jobs too (--recurse-all) */
  all: boolean;
  /** instances opened at a time */
  threads: number;
  /** the command's name for error lines */
  prog: string;
  /** the listing of one child instance */
  list: (child: Client) => Promise<ChildListing>;
}

type Outcome = { path: string; listing: ChildListing; client: Client } | { path: string; error: string } | undefined;

export async function listChildren(h: Client, jobs: readonly JobRecord[], opts: DescendOpts, prefix = ''): Promise<void> {
  if (opts.levels <= 0) return;
  const me = os.userInfo().uid;
  const candidates = jobs.filter((j) => j.state === RUN && (opts.all || j.userid === me));
  const open = async (j: JobRecord): Promise<Outcome> => {
    const r = await instanceUri(h, j.id);
    if (!('uri' in r)) return undefined; // not an instance: nothing under it
    const path = `${prefix}${encodeF58(j.id)}`;
    try {
      const client = await Client.connect(usable(r.uri));
      return { path, client, listing: await opts.list(client) };
    } catch (e) {
      return { path, error: (e as Error).message };
    }
  };
  const outcomes = await mapOrdered(candidates, Math.max(1, opts.threads), open);
  for (const o of outcomes) {
    if (!o) continue;
    process.stdout.write(`\n${o.path}:\n`);
    if ('error' in o) {
      process.stderr.write(`${opts.prog}: ${o.path}: ${o.error}\n`);
      continue;
    }
    if (o.listing.lines.length > 0) process.stdout.write(o.listing.lines.join('\n') + '\n');
    try {
      await listChildren(o.client, o.listing.jobs, { ...opts, levels: opts.levels - 1 }, `${o.path}/`);
    } finally {
      o.client.close();
    }
  }
}

/** f over items, at most `width` at a time, results in the items' order */
async function mapOrdered<T, R>(items: readonly T[], width: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * The instance.* fields of each running job of ours that is a Flux instance
 * (others get none: their instance.* fields print empty), asked of up to
 * `threads` instances at a time.
 */
export async function instanceExtras(h: Client, jobs: readonly JobRecord[], threads = 4): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  const running = jobs.filter((j) => j.state === RUN);
  await mapOrdered(running, threads, async (j) => {
    const r = await instanceUri(h, j.id);
    if (!('uri' in r)) return;
    let child: Client | undefined;
    try {
      child = await Client.connect(usable(r.uri));
      out.set(j.id, await instanceFields(child));
    } catch {
      /* gone since: its fields stay empty */
    } finally {
      child?.close();
    }
  });
  return out;
}
