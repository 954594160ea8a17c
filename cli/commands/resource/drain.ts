/** flux resource drain: list drained ranks, or drain TARGETS with a reason. */
import { Command, Option } from 'clipanion';
import { Errno, FluxError, type Row } from '../../../kernel/api';
import { CommandExit } from '../../base-command';
import { ResourceCommand } from './common';
import { fetchRankStates, nodelistOf, ranksOf } from './status-data';
import { last } from '../../getopt';

const NAMED: Record<string, string> = {
  default: '{timestamp!d:%b%d %R::<12} {state:<8.8} {reason:<30.30+} {nodelist}',
  long: '{timestamp!d:%b%d %R::<12} {state:<8.8} {ranks:<8.8+} {reason:<30.30+} {nodelist}',
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
  static override paths = [['resource', 'drain']];
  static override usage = Command.Usage({ description: 'Drain resources, or list drained resources' });
  static override sub = 'drain';
  static override synopsis = '[-h] [-n] [-o FORMAT] [-f] [-u] [targets] [reason ...]';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [
      { long: 'no-header', short: 'n' },
      { long: 'format', short: 'o', arg: true },
      { long: 'force', short: 'f' },
      { long: 'update', short: 'u' },
    ]);
    const force = p.opts.get('force')?.length ?? 0;
    const update = p.opts.has('update');
    if (force > 0 && update) this.fail('Only one of --force and --update may be specified');
    const h = await this.connect();
    if (p.positionals.length === 0) {
      const fmtText = last(p, 'format') ?? process.env['FLUX_RESOURCE_DRAIN_FORMAT_DEFAULT'] ?? 'default';
      const fmt = this.outputFormat(NAMED[fmtText] ?? fmtText, HEADINGS);
      const ranks = (await fetchRankStates(h)).filter((r) => r.drained);
      const groups = new Map<string, typeof ranks>();
      for (const r of ranks) {
        const st = (r.allocated ? 'draining' : 'drained') + (r.online ? '' : '*');
        const k = `${st}\u0000${r.drained!.timestamp}\u0000${r.drained!.reason}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const rows: Row[] = [...groups.entries()].map(([k, rs]) => ({
        state: k.split('\u0000')[0],
        timestamp: rs[0]!.drained!.timestamp,
        reason: rs[0]!.drained!.reason,
        ranks: ranksOf(rs),
        nodelist: nodelistOf(rs),
        nnodes: rs.length,
      }));
      for (const line of fmt.render(rows, p.opts.has('no-header'))) process.stdout.write(line + '\n');
      return 0;
    }
    const [targets, ...words] = p.positionals;
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
