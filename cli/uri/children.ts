/**
 * Descending into child instances (`flux jobs -R`): of the jobs just listed,
 * those that run a Flux instance (their rank 0 posted `memo {uri}`) are
 * opened in turn and listed under a heading that is their path of job ids
 * (`ƒA:`, then `ƒA/ƒB:` a level down), depth first, as Flux does. Up to
 * `threads` instances are opened at a time; their listings print in order.
 * One that cannot be reached says so on stderr instead of printing nothing.
 * With --json each instance's jobs nest under it instead (jobTrees).
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

type Opened<L> = { job: JobRecord; path: string; listing: L; client: Client } | { job: JobRecord; path: string; error: string } | undefined;

/** The running instances among `jobs` (ours, or all with --recurse-all), opened `threads` at a time, each with its listing; in the jobs' order. */
async function openChildren<L>(h: Client, jobs: readonly JobRecord[], opts: { all: boolean; threads: number }, list: (child: Client) => Promise<L>, prefix: string): Promise<Array<Opened<L>>> {
  const me = os.userInfo().uid;
  const candidates = jobs.filter((j) => j.state === RUN && (opts.all || j.userid === me));
  return mapOrdered(candidates, Math.max(1, opts.threads), async (j): Promise<Opened<L>> => {
    const r = await instanceUri(h, j.id);
    if (!('uri' in r)) return undefined; // not an instance: nothing under it
    const path = `${prefix}${encodeF58(j.id)}`;
    let client: Client | undefined;
    try {
      client = await Client.connect(usable(r.uri));
      return { job: j, path, client, listing: await list(client) };
    } catch (e) {
      client?.close();
      return { job: j, path, error: (e as Error).message };
    }
  });
}

export async function listChildren(h: Client, jobs: readonly JobRecord[], opts: DescendOpts, prefix = ''): Promise<void> {
  if (opts.levels <= 0) return;
  for (const o of await openChildren(h, jobs, opts, opts.list, prefix)) {
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

/**
 * `flux jobs -R --json`: each job as `dict` makes it, and each running
 * instance among them with its own jobs (`levels` deep) in a `jobs` array,
 * as Flux's flux-jobs(1) nests them. One that cannot be reached says so on
 * stderr and has no `jobs` key.
 */
export async function jobTrees<D extends object>(
  h: Client,
  jobs: readonly JobRecord[],
  opts: Omit<DescendOpts, 'list'> & { list: (child: Client) => Promise<JobRecord[]>; dict: (j: JobRecord) => D },
  prefix = '',
): Promise<Array<D & { jobs?: D[] }>> {
  const kids = new Map<number, Array<D & { jobs?: D[] }>>();
  if (opts.levels > 0) {
    for (const o of await openChildren(h, jobs, opts, opts.list, prefix)) {
      if (!o) continue;
      if ('error' in o) {
        process.stderr.write(`${opts.prog}: ${o.path}: ${o.error}\n`);
        continue;
      }
      try {
        kids.set(o.job.id, await jobTrees(o.client, o.listing, { ...opts, levels: opts.levels - 1 }, `${o.path}/`));
      } finally {
        o.client.close();
      }
    }
  }
  return jobs.map((j) => {
    const below = kids.get(j.id);
    return below === undefined ? opts.dict(j) : { ...opts.dict(j), jobs: below };
  });
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
