/** flux resource list: the scheduler's view of resources by state (free, allocated, down). */
import { Command, Option } from 'clipanion';
import {
  LIST_HEADINGS,
  LIST_STATES,
  ResourceCommand,
  listRow,
  resourcesIn,
  union,
  type ListState,
  type SchedStatus,
  TABLE_OPTS,
} from './common';
import type { RankResources, Row } from '../../../kernel/api';
import { last } from '../../getopt';

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
  static override paths = [['resource', 'list']];
  static override usage = Command.Usage({ description: 'List resources by state as the scheduler sees them' });
  static override sub = 'list';
  static override synopsis = '[-h] [-s STATES] [-n] [-o FORMAT] [--skip-empty]';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [...TABLE_OPTS, { long: 'no-skip-empty' }], false);
    const states = this.selectStates(p, 'free,allocated,down', LIST_STATES);
    this.noHeader = p.opts.has('no-header');
    this.skipEmpty = p.opts.has('skip-empty');
    const fmtText = last(p, 'format') ?? process.env['FLUX_RESOURCE_LIST_FORMAT_DEFAULT'] ?? 'default';
    const fmt = this.outputFormat(NAMED[fmtText] ?? fmtText, LIST_HEADINGS);
    const h = await this.connect();
    const st = await this.rpc0<SchedStatus>(h, 'resource.sched-status');
    const rows = listRows(st, states, fmt.fields(), this.skipEmpty);
    for (const line of fmt.render(rows, this.noHeader)) process.stdout.write(line + '\n');
    return 0;
  }
}
