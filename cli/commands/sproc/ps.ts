/** flux sproc ps: the processes a broker's rexec holds (running and waitable zombies). */
import { FluxCommand } from '../../base-command';
import { FormatError, OutputFormat } from '../../../lib/formats/output-format';
import type { RexecListResponse } from '../../../lib/protocol/rexec';
import { errorText, rankError, sprocRpc, sprocSpec } from './group';

const HEADINGS: Record<string, string> = {
  pid: 'PID',
  state: 'ST',
  statex: 'STAT',
  flags: 'FLAGS',
  attached: 'ATTACHED',
  label: 'LABEL',
  rank: 'RANK',
  cmd: 'COMMAND',
};
const DEFAULT_FORMAT = '{pid:>9} {statex:<3} {flags:<11h} +:{label:<16h} {cmd}';

export class SprocPsCommand extends FluxCommand {
  static override spec = sprocSpec(
    'ps',
    'List active and zombie subprocesses',
    [
      { name: 'format', short: 'o', arg: 'FORMAT', description: "Specify output format using Python's string format syntax (fields: pid, state, statex, flags, attached, label, rank, cmd)" },
      { name: 'no-header', short: 'n', description: 'Suppress printing of header line' },
    ],
    [],
  );

  async run(): Promise<number> {
    const p = this.args;
    const badRank = rankError(p);
    if (badRank) this.usageError(badRank);
    let fmt: OutputFormat;
    try {
      fmt = new OutputFormat(p.str('format') ?? DEFAULT_FORMAT, HEADINGS);
    } catch (e) {
      if (e instanceof FormatError) this.fail(`Error in user format: ${e.message}`);
      throw e;
    }
    const h = await this.connect();
    let r: RexecListResponse;
    try {
      r = await sprocRpc<RexecListResponse>(h, p, 'list', {});
    } catch (e) {
      this.fail(`ps: ${errorText(e)}`);
    }
    const rows = r.procs.map((proc) => ({
      pid: proc.pid,
      state: proc.state,
      // ps(1)'s STAT: + while a client receives its output
      statex: proc.state + (proc.attached ? '+' : ''),
      flags: [proc.bg && 'bg', proc.waitable && 'waitable'].filter(Boolean).join(','),
      attached: proc.attached ? 'Y' : '-',
      label: proc.label ?? '',
      rank: r.rank,
      cmd: proc.cmd.join(' '),
    }));
    const lines = fmt.render(rows, p.has('no-header'));
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
}
