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
import { CommandExit, FluxCommand } from '../../base-command';
import { GetoptError, getopt, type OptSpec, type Parsed, last } from '../../getopt';
import type { Client } from '../../api/client';

/** The options of the table commands (list, status): -n, -o, -s, --skip-empty. */
export const TABLE_OPTS: readonly OptSpec[] = [
  { long: 'no-header', short: 'n' },
  { long: 'format', short: 'o', arg: true },
  { long: 'states', short: 's', arg: true },
  { long: 'skip-empty' },
];

export abstract class ResourceCommand extends FluxCommand {
  static override fluxStyle: 'c' | 'py' = 'py';
  static override prog = 'flux-resource';

  /** sub-command word, for argparse-style usage errors */
  static sub = '';
  static synopsis = '';

  /**
   * Parse our own argv (clipanion cannot do `-no FMT`): Python argparse errors,
   * `usage: ...` and `flux-resource SUB: error: ...`, exit 2.
   */
  protected parse(argv: readonly string[], specs: readonly OptSpec[], positionals = true): Parsed {
    let p: Parsed;
    try {
      p = getopt(argv, specs, false);
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      this.usageError(e.message.replace(/^unrecognized option '(.*)'$/, 'unrecognized arguments: $1'));
    }
    if (!positionals && p.positionals.length > 0) this.usageError(`unrecognized arguments: ${p.positionals.join(' ')}`);
    return p;
  }

  /** The -s/--states selection (default dflt), failing on a state not in allowed. */
  protected selectStates<T extends string>(p: Parsed, dflt: string, allowed: readonly T[]): T[] {
    const { states, bad } = parseStates(last(p, 'states') ?? dflt, allowed);
    if (bad !== undefined) this.fail(`Invalid resource state ${bad} specified`);
    return states;
  }

  protected usageError(msg: string): never {
    const cls = this.constructor as typeof ResourceCommand;
    throw new CommandExit(2, `usage: flux-resource ${cls.sub} ${cls.synopsis}\nflux-resource ${cls.sub}: error: ${msg}`);
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
