/** flux resource drain: list drained ranks, or drain TARGETS with a reason. */
import { Errno, FluxError, type Row } from '../../../kernel/api';
import { CommandExit } from '../../base-command';
import { INCLUDE_OPT, QUEUE_OPT, ResourceCommand, resourceSpec } from './common';
import { fetchRankStates, nodelistOf, ranksOf } from './status-data';
import type { FormatSet } from '../../named-formats';
import { PyFloat } from '../../../lib/formats';

/** in Flux's order: `-o help` lists long first */
const FORMATS: FormatSet = {
  tool: 'flux-resource',
  subtable: 'drain',
  formats: {
    long: { description: 'Long flux-resource drain format string', format: '{timestamp!d:%b%d %R::<12} {state:<8.8} {ranks:<8.8+} {reason:<30.30+} {nodelist}' },
    default: { description: 'Default flux-resource drain format string', format: '{timestamp!d:%b%d %R::<12} {state:<8.8} {reason:<30.30+} {nodelist}' },
  },
};
const HEADINGS: Record<string, string> = {
  timestamp: 'TIME',
  state: 'STATE',
  ranks: 'RANKS',
  reason: 'REASON',
  nodelist: 'NODELIST',
  nnodes: 'NNODES',
};

export class ResourceDrainCommand extends ResourceCommand {
  static override spec = resourceSpec(
    'drain',
    'Drain resources, or list drained resources',
    [
      { name: 'force', short: 'f', description: 'Force overwrite of existing drain reason. Specify twice to also update drain timestamp.' },
      { name: 'update', short: 'u', description: 'Update only: drain the targets not drained yet, and leave the reason of those that are' },
      { name: 'no-header', short: 'n', description: 'Suppress header output (listing only)' },
      { name: 'format', short: 'o', arg: 'FORMAT', description: 'Specify output format using Python\'s string format syntax or a defined format by name (listing only)' },
      { ...QUEUE_OPT, description: `${QUEUE_OPT.description} (listing only)` },
      { ...INCLUDE_OPT, description: `${INCLUDE_OPT.description} (listing only)` },
    ],
    [
      { name: 'targets', nargs: '?', description: 'List of targets to drain (IDSET or HOSTLIST)' },
      { name: 'reason', nargs: '*', description: 'Reason for draining the targets' },
    ],
  );

  async run(): Promise<number> {
    const p = this.args;
    const force = p.count('force');
    const update = p.has('update');
    if (force > 0 && update) this.fail('Only one of --force and --update may be specified');
    // the listing's format is read before connecting: `-o help` needs no instance
    const fmtText = p.operands.length === 0 ? this.formatOption(p.str('format'), FORMATS) : undefined;
    const h = await this.connect();
    if (fmtText !== undefined) {
      const fmt = this.outputFormat(fmtText, HEADINGS);
      const ranks = (await this.queuedRankStates(h, p, this.includedRankStates(p, await fetchRankStates(h)))).filter((r) => r.drained);
      const groups = new Map<string, typeof ranks>();
      for (const r of ranks) {
        const st = (r.allocated ? 'draining' : 'drained') + (r.online ? '' : '*');
        const k = `${st}\u0000${r.drained!.timestamp}\u0000${r.drained!.reason}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const rows: Row[] = [...groups.entries()].map(([k, rs]) => ({
        state: k.split('\u0000')[0],
        timestamp: new PyFloat(rs[0]!.drained!.timestamp),
        reason: rs[0]!.drained!.reason,
        ranks: ranksOf(rs),
        nodelist: nodelistOf(rs),
        nnodes: rs.length,
      }));
      for (const line of fmt.render(rows, p.has('no-header'))) process.stdout.write(line + '\n');
      return 0;
    }
    const [targets, ...words] = p.operands;
    const mode = force >= 2 ? 'force-overwrite' : force === 1 ? 'overwrite' : update ? 'update' : undefined;
    const payload: Record<string, unknown> = { targets };
    if (words.length > 0) payload['reason'] = words.join(' ');
    if (mode) payload['mode'] = mode;
    try {
      await this.rpc0(h, 'resource.drain', payload);
    } catch (e) {
      if (!(e instanceof FluxError)) throw e;
      let msg = this.errorLine(`[Errno ${e.errno}] ${e.message}`);
      if (e.errno === Errno.EEXIST) msg += '\nflux-resource: INFO: Use --force to overwrite existing drain reason';
      throw new CommandExit(1, msg);
    }
    return 0;
  }
}
