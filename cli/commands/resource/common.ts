/**
 * Shared by the `flux resource` sub-commands: the Python-style base class
 * (`flux-resource: ERROR: ...`), the RPCs to rank 0, and per-state resource
 * sets as `flux resource list` computes them (free, allocated, down, up, all).
 */
import {
  FormatError,
  OutputFormat,
  hostlist,
  idset,
  rlistSummary,
  rv1Build,
  rv1Expand,
  type RankResources,
  type Row,
  type Rv1,
} from '../../../kernel/api';
import { FluxCommand } from '../../base-command';
import type { CommandSpec, GroupSpec, OperandSpec, OptionSpec, ParsedArgs } from '../../options';
import type { Client } from '../../api/client';

export const resourceGroup: GroupSpec = {
  kind: 'group',
  path: ['resource'],
  grammar: 'argparse',
  prog: 'flux-resource',
  summary: 'Display and manage Flux resources',
};

const STATES_OPT = (dflt: string): OptionSpec => ({
  name: 'states',
  short: 's',
  arg: 'STATE,...',
  default: dflt,
  description: `Output resources in given states (default: ${dflt})`,
});

/** The options of the table commands (list, status): -s, -n, -o, --skip-empty. */
export function tableOpts(statesDefault: string): OptionSpec[] {
  return [
    STATES_OPT(statesDefault),
    { name: 'no-header', short: 'n', description: 'Suppress header output' },
    { name: 'format', short: 'o', arg: 'FORMAT', description: 'Specify output format using Python\'s string format syntax or a defined format by name' },
    { name: 'skip-empty', description: 'Skip empty lines of output' },
  ];
}

export { STATES_OPT };

/** -i, --include: as Flux's (ranks or hosts not in the instance are no error) */
export const INCLUDE_OPT: OptionSpec = {
  name: 'include',
  short: 'i',
  arg: 'TARGETS',
  description: 'Include only specified targets in output set. TARGETS may be provided as an idset or hostlist.',
};

/** -q, --queue: as Flux's, the resources of the named queues (those with every property a queue requires) */
export const QUEUE_OPT: OptionSpec = {
  name: 'queue',
  short: 'q',
  arg: 'QUEUE,...',
  description: 'Filter results to only include resources in the specified queue(s)',
};

/** A configured queue as the resource commands need it: its name and required properties. */
export interface ListQueue {
  name: string;
  requires: readonly string[];
}

/** The queues job-manager has configured ([] without [queues], or without a job-manager). */
export async function configuredQueues(h: Client): Promise<ListQueue[]> {
  try {
    const r = await h.rpc<{ queues?: ListQueue[] }>('job-manager.queue-list', {});
    return r.queues ?? [];
  } catch {
    return [];
  }
}

/** Whether a rank with these properties belongs to one of the queues. */
export function inQueues(properties: readonly string[] | undefined, queues: readonly ListQueue[]): boolean {
  return queues.some((q) => q.requires.every((p) => (properties ?? []).includes(p)));
}

/**
 * The ranks that -i TARGETS names: an idset of ranks, or a hostlist of the
 * hosts (of `ranks`, by their hostname); undefined when it is neither.
 */
export function includedRanks(targets: string, ranks: readonly { rank: number; hostname: string }[]): Set<number> | undefined {
  try {
    if (/^[\d,\-[\]]+$/.test(targets)) return new Set(idset.decode(targets.replace(/^\[(.*)\]$/, '$1')));
    const hosts = new Set(hostlist.expand(targets));
    return new Set(ranks.filter((r) => hosts.has(r.hostname)).map((r) => r.rank));
  } catch {
    return undefined;
  }
}

/** The scheduler's view restricted to some ranks (flux resource list/info/R -i). */
export function restrictStatus(st: SchedStatus, keep: ReadonlySet<number>): SchedStatus {
  const cut = (R: Rv1): Rv1 => rv1Build(rv1Expand(R).filter((r) => keep.has(r.rank)), { starttime: R.execution.starttime, expiration: R.execution.expiration });
  return { ...st, all: cut(st.all), allocated: cut(st.allocated), down: cut(st.down) };
}

/** The spec of `flux resource SUB` (Flux's flux-resource is a Python command). */
export function resourceSpec(sub: string, summary: string, options: readonly OptionSpec[], operands: readonly OperandSpec[] = []): CommandSpec {
  return { path: ['resource', sub], grammar: 'argparse', prog: `flux-resource ${sub}`, errorName: 'flux-resource', summary, options, operands };
}

export abstract class ResourceCommand extends FluxCommand {
  /** The -s/--states selection (default dflt), failing on a state not in allowed. */
  protected selectStates<T extends string>(p: ParsedArgs, dflt: string, allowed: readonly T[]): T[] {
    const { states, bad } = parseStates(p.str('states') ?? dflt, allowed);
    if (bad !== undefined) this.fail(`Invalid resource state ${bad} specified`);
    return states;
  }

  /** The ranks -i TARGETS keeps of these (undefined: no -i); bad TARGETS fail with one line. */
  private kept(p: ParsedArgs, ranks: readonly { rank: number; hostname: string }[]): Set<number> | undefined {
    const t = p.str('include');
    if (t === undefined) return undefined;
    const keep = includedRanks(t, ranks);
    if (keep === undefined) this.fail(`--include: invalid targets: ${t}`);
    return keep;
  }

  /** -i TARGETS applied to the scheduler's view (flux resource list, info, R) */
  protected included(p: ParsedArgs, st: SchedStatus): SchedStatus {
    const keep = this.kept(p, rv1Expand(st.all));
    return keep ? restrictStatus(st, keep) : st;
  }

  /** -q QUEUE,...: those queues (one not configured fails the command), undefined without -q */
  protected async selectedQueues(h: Client, p: ParsedArgs): Promise<ListQueue[] | undefined> {
    const want = p.str('queue');
    if (want === undefined) return undefined;
    const queues = await configuredQueues(h);
    const names = want.split(',');
    const bad = names.find((n) => !queues.some((q) => q.name === n));
    if (bad !== undefined) this.fail(`--queue: ${bad}: no such queue`);
    return queues.filter((q) => names.includes(q.name));
  }

  /** -q QUEUE,... applied to the scheduler's view (flux resource info, R) */
  protected async queued(h: Client, p: ParsedArgs, st: SchedStatus): Promise<SchedStatus> {
    const queues = await this.selectedQueues(h, p);
    if (queues === undefined) return st;
    return restrictStatus(st, new Set(rv1Expand(st.all).filter((r) => inQueues(r.properties, queues)).map((r) => r.rank)));
  }

  /** -i TARGETS applied to per-rank states (flux resource status, drain) */
  protected includedRankStates<T extends { rank: number; hostname: string }>(p: ParsedArgs, ranks: T[]): T[] {
    const keep = this.kept(p, ranks);
    return keep ? ranks.filter((r) => keep.has(r.rank)) : ranks;
  }

  /** -q QUEUE,... applied to per-rank states (flux resource status, drain) */
  protected async queuedRankStates<T extends { properties: readonly string[] }>(h: Client, p: ParsedArgs, ranks: T[]): Promise<T[]> {
    const queues = await this.selectedQueues(h, p);
    return queues === undefined ? ranks : ranks.filter((r) => inQueues(r.properties, queues));
  }

  /** An RPC to rank 0's resource module. */
  protected async rpc0<T>(h: Client, topic: string, payload: unknown = {}): Promise<T> {
    return h.rpc<T>(topic, payload, { nodeid: 0 });
  }

  /** Build an OutputFormat; an unknown field or bad spec is `ERROR: <why>`. */
  protected outputFormat(fmt: string, headings: Record<string, string>): OutputFormat {
    try {
      return new OutputFormat(fmt, headings);
    } catch (e) {
      if (e instanceof FormatError) this.fail(e.message);
      throw e;
    }
  }
}

export interface SchedStatus {
  all: Rv1;
  allocated: Rv1;
  down: Rv1;
}

export const LIST_STATES = ['up', 'down', 'allocated', 'free', 'all'] as const;
export type ListState = (typeof LIST_STATES)[number];

function subtract(a: readonly RankResources[], b: readonly RankResources[]): RankResources[] {
  const m = new Map(b.map((r) => [r.rank, r]));
  const out: RankResources[] = [];
  for (const r of a) {
    const x = m.get(r.rank);
    const cores = x ? r.cores.filter((c) => !x.cores.includes(c)) : r.cores;
    const gpus = x ? r.gpus.filter((g) => !x.gpus.includes(g)) : r.gpus;
    if (cores.length + gpus.length > 0) out.push({ ...r, cores, gpus });
  }
  return out;
}

/** Per-rank resources in one `flux resource list` state. */
export function resourcesIn(st: SchedStatus, state: ListState): RankResources[] {
  const all = rv1Expand(st.all);
  const down = rv1Expand(st.down);
  const downRanks = new Set(down.map((r) => r.rank));
  const allocated = rv1Expand(st.allocated);
  const byRank = new Map(all.map((r) => [r.rank, r]));
  for (const r of [...down, ...allocated]) {
    const a = byRank.get(r.rank);
    r.hostname = a?.hostname ?? r.hostname;
    if (a?.properties) r.properties = a.properties;
  }
  const up = all.filter((r) => !downRanks.has(r.rank));
  switch (state) {
    case 'all':
      return all;
    case 'down':
      return all.filter((r) => downRanks.has(r.rank));
    case 'up':
      return up;
    case 'allocated':
      return allocated;
    case 'free':
      return subtract(up, allocated);
  }
}

/** The properties of a set of ranks, in the order they first appear. */
export function propertiesOf(rs: readonly RankResources[]): string[] {
  return [...new Set(rs.flatMap((r) => r.properties ?? []))];
}

/** The fields of one list row for a set of per-rank resources. */
export function listRow(state: string, rs: readonly RankResources[]): Row {
  const sorted = [...rs].sort((a, b) => a.rank - b.rank);
  return {
    state,
    nnodes: sorted.length,
    ncores: sorted.reduce((s, r) => s + r.cores.length, 0),
    ngpus: sorted.reduce((s, r) => s + r.gpus.length, 0),
    nodelist: hostlist.compress(sorted.map((r) => r.hostname)),
    ranks: idset.encode(sorted.map((r) => r.rank)),
    rlist: rlistSummary(sorted),
    properties: propertiesOf(sorted).join(','),
    propertiesx: propertiesOf(sorted).join(','),
    queue: '',
  };
}

export const LIST_HEADINGS: Record<string, string> = {
  state: 'STATE',
  queue: 'QUEUE',
  properties: 'PROPERTIES',
  propertiesx: 'PROPERTIES',
  nnodes: 'NNODES',
  ncores: 'NCORES',
  ngpus: 'NGPUS',
  ranks: 'RANKS',
  nodelist: 'NODELIST',
  rlist: 'LIST',
};

/** Parse `-s a,b,c` against the allowed states; undefined names the bad one. */
export function parseStates<T extends string>(arg: string, allowed: readonly T[]): { states: T[]; bad?: string } {
  const states: T[] = [];
  for (const s of arg.split(',').filter((x) => x.length > 0)) {
    if (!(allowed as readonly string[]).includes(s)) return { states, bad: s };
    states.push(s as T);
  }
  return { states };
}

/** Merge per-rank resource lists (union per rank). */
export function union(lists: ReadonlyArray<readonly RankResources[]>): RankResources[] {
  const m = new Map<number, RankResources>();
  for (const l of lists) {
    for (const r of l) {
      const x = m.get(r.rank);
      if (!x) m.set(r.rank, { ...r, cores: [...r.cores], gpus: [...r.gpus] });
      else {
        x.cores = [...new Set([...x.cores, ...r.cores])].sort((a, b) => a - b);
        x.gpus = [...new Set([...x.gpus, ...r.gpus])].sort((a, b) => a - b);
      }
    }
  }
  return [...m.values()].sort((a, b) => a.rank - b.rank);
}

export { rv1Build };
