/** flux resource list: the scheduler's view of resources by state (free, allocated, down). */
import {
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
import type { Row } from '../../../kernel/api';

export const LIST_DEFAULT_FORMAT =
  '{state:>10} ?+:{queue:<5} ?:{propertiesx:<10.10+} {nnodes:>6} +:{ncores:>6} ?+:{ngpus:>5} {nodelist}';
const NAMED: Record<string, string> = {
  default: LIST_DEFAULT_FORMAT,
  rlist: '{state:>10} ?+:{queue:<5} ?:{propertiesx:<10.10+} {nnodes:>6} +:{ncores:>6} ?:+{ngpus:>5} {rlist}',
};

/** Rows for the given states and format (shared with `flux resource info`). */
export function listRows(st: SchedStatus, states: readonly ListState[], fields: readonly string[], skipEmpty: boolean): Row[] {
  const grouped = fields.length > 1 || fields.includes('state');
  if (!grouped) {
    return [listRow(states.join(','), union(states.map((s) => resourcesIn(st, s))))];
  }
  const rows: Row[] = [];
  for (const s of states) {
    const rs = resourcesIn(st, s);
    if (rs.length === 0 && skipEmpty) continue;
    rows.push(listRow(s, rs));
  }
  return rows;
}

export class ResourceListCommand extends ResourceCommand {
  private noHeader = false;
  private skipEmpty = false;
  static override spec = resourceSpec('list', 'List resources by state as the scheduler sees them', [
    ...tableOpts('free,allocated,down'),
    { name: 'no-skip-empty', description: 'Do not skip empty lines of output' },
  ]);

  async run(): Promise<number> {
    const p = this.args;
    const states = this.selectStates(p, 'free,allocated,down', LIST_STATES);
    this.noHeader = p.has('no-header');
    this.skipEmpty = p.has('skip-empty');
    const fmtText = p.str('format') ?? process.env['FLUX_RESOURCE_LIST_FORMAT_DEFAULT'] ?? 'default';
    const fmt = this.outputFormat(NAMED[fmtText] ?? fmtText, LIST_HEADINGS);
    const h = await this.connect();
    const st = await this.rpc0<SchedStatus>(h, 'resource.sched-status');
    const rows = listRows(st, states, fmt.fields(), this.skipEmpty);
    for (const line of fmt.render(rows, this.noHeader)) process.stdout.write(line + '\n');
    return 0;
  }
}
