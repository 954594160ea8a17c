/** flux resource status: the administrative view of ranks by state (avail, drained, offline ...). */
import { INCLUDE_OPT, QUEUE_OPT, ResourceCommand, resourceSpec, tableOpts } from './common';
import { fetchRankStates, nodelistOf, ranksOf, type RankState } from './status-data';
import type { Row } from '../../../kernel/api';
import type { FormatSet } from '../../named-formats';
import { PyFloat } from '../../../lib/formats';

const STATES = ['avail', 'exclude', 'draining', 'drained', 'drain', 'allocated', 'torpid', 'housekeeping', 'offline', 'online', 'all'] as const;
type State = (typeof STATES)[number];
const ALL: State[] = ['avail', 'exclude', 'draining', 'drained', 'torpid', 'housekeeping', 'allocated'];
const DEFAULT = 'avail,exclude,draining,drained,torpid,housekeeping';
/** Flux 0.88 renders `{state:>12} {color_up}{up:>2}{color_off} ...` with the space swallowed */
const FORMATS: FormatSet = {
  tool: 'flux-resource',
  subtable: 'status',
  formats: {
    default: { description: 'Default flux-resource status format string', format: '{state:>12}{up:>2} {nnodes:>6} {nodelist}' },
    long: { description: 'Long flux-resource status format string', format: '{state:>12}{up:>2} {nnodes:>6} +:{reason:<30.30} {nodelist}' },
  },
};
const HEADINGS: Record<string, string> = {
  state: 'STATE',
  statex: 'STATE',
  'up.ascii': 'UP',
  status: 'STATUS',
  up: 'UP',
  nnodes: 'NNODES',
  ranks: 'RANKS',
  nodelist: 'NODELIST',
  timestamp: 'TIME',
  reason: 'REASON',
};

function inState(r: RankState, s: State): boolean {
  switch (s) {
    case 'avail':
      return !r.excluded && !r.drained && !r.torpid;
    case 'exclude':
      return r.excluded;
    case 'draining':
      return !!r.drained && r.allocated;
    case 'drained':
      return !!r.drained && !r.allocated;
    case 'drain':
      return !!r.drained;
    case 'allocated':
      return r.allocated;
    case 'torpid':
      return r.torpid;
    case 'housekeeping':
      return r.housekeeping;
    default:
      return false;
  }
}

export class ResourceStatusCommand extends ResourceCommand {
  static override spec = resourceSpec('status', 'Show the administrative state of resources', [...tableOpts(DEFAULT), QUEUE_OPT, INCLUDE_OPT]);

  async run(): Promise<number> {
    const p = this.args;
    const given = p.str('states');
    // as Flux: -s help lists the states; a bad one is refused with that list too
    const valid = 'flux-resource: INFO: valid states: all,online,avail,offline,exclude,drain,draining,drained,torpid,allocated,housekeeping\n';
    if (given === 'help') {
      // Python's logging: on stderr
      process.stderr.write(valid);
      return 0;
    }
    const bad = (given ?? '').split(',').find((s) => s !== '' && !(STATES as readonly string[]).includes(s));
    if (bad !== undefined) {
      process.stderr.write(`flux-resource: ERROR: Invalid resource state ${bad} specified\n${valid}`);
      return 1;
    }
    const states = this.selectStates(p, DEFAULT, STATES);
    const fmt = this.outputFormat(this.formatOption(p.str('format'), FORMATS), HEADINGS);
    const wantOn = states.includes('online');
    const wantOff = states.includes('offline');
    let list: State[] = states.filter((s) => s !== 'online' && s !== 'offline');
    if (list.includes('all') || list.length === 0) list = ALL;
    const h = await this.connect();
    const ranks = await this.queuedRankStates(h, p, this.includedRankStates(p, await fetchRankStates(h)));
    const rows: Row[] = [];
    for (const s of list) {
      for (const up of [true, false]) {
        if (wantOn !== wantOff && up !== wantOn) continue;
        const rs = ranks.filter((r) => r.online === up && inState(r, s));
        if (rs.length === 0) {
          if (given === undefined || p.has('skip-empty')) continue;
          if (!up && !wantOff) continue;
        }
        const reasons = [...new Set(rs.map((r) => r.drained?.reason ?? ''))];
        rows.push({
          state: up ? s : `${s}*`,
          statex: s,
          status: up ? 'online' : 'offline',
          up: up ? '\u2714' : '\u2717',
          'up.ascii': up ? 'y' : 'n',
          nnodes: rs.length,
          ranks: ranksOf(rs),
          nodelist: nodelistOf(rs),
          // a float in Flux, and '' on a line of ranks not drained
          timestamp: rs[0]?.drained ? new PyFloat(rs[0].drained.timestamp) : '',
          reason: reasons.join(','),
        });
      }
    }
    for (const line of fmt.render(rows, p.has('no-header'))) process.stdout.write(line + '\n');
    return 0;
  }
}
