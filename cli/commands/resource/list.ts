/** flux resource list: the scheduler's view of resources by state (free, allocated, down). */
import {
  INCLUDE_OPT,
  QUEUE_OPT,
  configuredQueues,
  type ListQueue,
  LIST_HEADINGS,
  LIST_STATES,
  ResourceCommand,
  listRow,
  resourcesIn,
  union,
  type ListState,
  type SchedStatus,
  resourceSpec,
  tableOpts,
} from './common';
import type { RankResources, Row } from '../../../kernel/api';
import type { FormatSet } from '../../named-formats';

export const LIST_DEFAULT_FORMAT =
  '{state:>10} ?+:{queue:<5} ?:{propertiesx:<10.10+} {nnodes:>6} +:{ncores:>6} ?+:{ngpus:>5} {nodelist}';
const FORMATS: FormatSet = {
  tool: 'flux-resource',
  subtable: 'list',
  formats: {
    default: { description: 'Default flux-resource list format string', format: LIST_DEFAULT_FORMAT },
    rlist: {
      description: 'Format including resource list details',
      format: '{state:>10} ?+:{queue:<5} ?:{propertiesx:<10.10+} {nnodes:>6} +:{ncores:>6} ?:+{ngpus:>5} {rlist}',
    },
  },
};


/** Rows for the given states and format (shared with `flux resource info`); with queues, one set per state per queue. */
export function listRows(
  st: SchedStatus,
  states: readonly ListState[],
  fields: readonly string[],
  skipEmpty: boolean,
  queues: readonly ListQueue[] = [],
): Row[] {
  if (queues.length > 0) return queueRows(st, states, fields, skipEmpty, queues);
  const grouped = fields.length > 1 || fields.includes('state');
  if (!grouped) {
    return [listRow(states.join(','), union(states.map((s) => resourcesIn(st, s))))];
  }
  // with a properties column, ranks with different properties get their own rows
  const split = fields.some((f) => f === 'properties' || f === 'propertiesx');
  const rows: Row[] = [];
  for (const s of states) {
    const rs = resourcesIn(st, s);
    if (rs.length === 0 && skipEmpty) continue;
    if (!split || rs.length === 0) {
      rows.push(listRow(s, rs));
      continue;
    }
    const groups = new Map<string, RankResources[]>();
    for (const r of rs) {
      const k = (r.properties ?? []).join(',');
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const g of groups.values()) rows.push(listRow(s, g));
  }
  return rows;
}

export class ResourceListCommand extends ResourceCommand {
  private noHeader = false;
  private skipEmpty = false;
  static override spec = resourceSpec('list', 'List resources by state as the scheduler sees them', [
    ...tableOpts('free,allocated,down'),
    { name: 'no-skip-empty', description: 'Do not skip empty lines of output' },
    QUEUE_OPT,
    INCLUDE_OPT,
  ]);

  async run(): Promise<number> {
    const p = this.args;
    const states = this.selectStates(p, 'free,allocated,down', LIST_STATES);
    this.noHeader = p.has('no-header');
    // --no-skip-empty wins over --skip-empty, the default with -i (as Flux)
    this.skipEmpty = (p.has('skip-empty') || p.has('include')) && !p.has('no-skip-empty');
    const fmt = this.outputFormat(this.formatOption(p.str('format'), FORMATS), LIST_HEADINGS);
    const h = await this.connect();
    const st = this.included(p, await this.rpc0<SchedStatus>(h, 'resource.sched-status'));
    const queues = (await this.selectedQueues(h, p)) ?? (await configuredQueues(h));
    const rows = listRows(st, states, fmt.fields(), this.skipEmpty, queues);
    for (const line of fmt.render(rows, this.noHeader)) process.stdout.write(line + '\n');
    return 0;
  }
}

function queueRows(st: SchedStatus, states: readonly ListState[], fields: readonly string[], skipEmpty: boolean, queues: readonly ListQueue[]): Row[] {
  // properties that define a queue are shown under QUEUE, not again under PROPERTIES (propertiesx)
  const defining = new Set(queues.flatMap((q) => q.requires));
  const rows: Row[] = [];
  for (const s of states) {
    for (const q of queues) {
      const rs = resourcesIn(st, s).filter((r) => q.requires.every((p) => (r.properties ?? []).includes(p)));
      if (rs.length === 0 && skipEmpty) continue;
      for (const row of splitRows(s, rs, fields)) {
        const propertiesx = String(row['properties'] ?? '')
          .split(',')
          .filter((p) => p && !defining.has(p))
          .join(',');
        rows.push({ ...row, queue: q.name, propertiesx });
      }
    }
  }
  return rows;
}

function splitRows(state: ListState, rs: RankResources[], fields: readonly string[]): Row[] {
  const split = fields.some((f) => f === 'properties' || f === 'propertiesx');
  if (!split || rs.length === 0) return [listRow(state, rs)];
  const groups = new Map<string, RankResources[]>();
  for (const r of rs) {
    const k = (r.properties ?? []).join(',');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => listRow(state, g));
}
