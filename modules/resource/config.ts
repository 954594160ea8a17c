/**
 * The [resource] table (flux-config-resource(5)): resources described by the
 * site instead of discovered. `config` lists hosts with their cores, GPUs and
 * properties; `path` names an R file (RFC 20) instead; `exclude` keeps ranks or
 * hosts out of scheduling; `reserve` holds cores of each rank back from the
 * scheduler; `noverify` skips checking each broker's discovered
 * resources against the description; `norestrict` counts every core of the
 * host, not only those the broker may run on; `rediscover` makes an instance
 * that is a job probe its nodes instead of taking the job's R; `journal-max`
 * bounds the events the resource journal keeps; `scheduling` names a JSON
 * file that becomes R's `scheduling` key.
 */
import * as fs from 'node:fs';
import { einval } from '../../kernel/api';
import type { ConfigEntry } from '../../lib/resource/config-schema';

export { propertyProblem, resourceConfigSchema, type ConfigEntry } from '../../lib/resource/config-schema';

export interface ResourceConfig {
  config?: ConfigEntry[];
  path?: string;
  exclude?: string;
  /** `reserve`: cores held back from the scheduler, `cores[@ranks]` words (lib/resource/reserve.ts) */
  reserve?: string;
  noverify: boolean;
  norestrict: boolean;
  rediscover?: boolean;
  /** `verify`: true, false or a table of modes per type (verify.ts) */
  verify?: unknown;
  /** module argument monitor-force-up: ranks of R without a broker (yet) count as up */
  forceUp?: boolean;
  /** `journal-max`: events the resource journal keeps for late readers (flux resource eventlog) */
  journalMax?: number;
  /** `scheduling`: a JSON file whose content becomes R's `scheduling` key (e.g. a JGF graph for a scheduler that reads one) */
  scheduling?: string;
}

/** Module arguments (flux module load resource ARG...): only Flux's `monitor-force-up`, without a value. */
export function resourceArgs(args: readonly string[]): { forceUp: boolean } {
  let forceUp = false;
  for (const a of args) {
    if (a === 'monitor-force-up') forceUp = true;
    else if (a.startsWith('monitor-force-up=')) throw new Error('resource: monitor-force-up takes no value');
    else throw new Error(`resource: unknown module argument "${a}" (it takes: monitor-force-up)`);
  }
  return { forceUp };
}

/** The table, already checked against the schema by the broker. */
export function resourceConfig(config: Readonly<Record<string, unknown>>): ResourceConfig {
  const t = (config['resource'] ?? {}) as Partial<ResourceConfig> & { 'journal-max'?: number };
  if (t.config !== undefined && t.path !== undefined) {
    throw new Error('resource.config and resource.path may not both be set');
  }
  return { config: t.config, path: t.path, exclude: t.exclude, reserve: t.reserve, noverify: t.noverify === true, norestrict: t.norestrict === true, rediscover: t.rediscover === true, verify: t.verify, journalMax: t['journal-max'], scheduling: t.scheduling };
}

/** the largest [resource] scheduling file read (a JGF graph of a big cluster is tens of MB) */
const SCHEDULING_MAX = 256 << 20;

/** `[resource] scheduling`: the JSON in the file, read off the loop and bounded; one line when it cannot be */
export async function readScheduling(file: string): Promise<unknown> {
  const fail = (why: string): never => {
    throw einval(`resource.scheduling ${file}: ${why}`);
  };
  let text = '';
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) fail('not a regular file');
    if (st.size > SCHEDULING_MAX) fail(`larger than ${SCHEDULING_MAX >> 20} MiB`);
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as Error).message.startsWith('resource.scheduling')) throw e;
    fail((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail('not JSON');
  }
}
