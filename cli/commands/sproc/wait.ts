/** flux sproc wait [-o] PID|LABEL: wait for a waitable background process and exit with its status. */
import { FluxCommand } from '../../base-command';
import { waitStatusExitCode } from '../../../lib/strsignal';
import type { RexecWaitResponse } from '../../../lib/protocol/rexec';
import { errorText, pidOrLabel, rankError, sprocRpc, sprocSpec } from './group';

export class SprocWaitCommand extends FluxCommand {
  static override spec = sprocSpec(
    'wait',
    'Wait for a waitable subprocess and exit with its status',
    [{ name: 'output', short: 'o', description: 'write any output retained by the server to stdout/stderr' }],
    [{ name: 'pid', nargs: '1', description: 'PID or LABEL' }],
  );

  async run(): Promise<number> {
    const p = this.args;
    const badRank = rankError(p);
    if (badRank) this.usageError(badRank);
    const h = await this.connect();
    let r: RexecWaitResponse;
    try {
      r = await sprocRpc<RexecWaitResponse>(h, p, 'wait', pidOrLabel(p.operands[0]!));
    } catch (e) {
      this.fail(`wait: ${errorText(e)}`);
    }
    if (p.has('output')) {
      for (const o of r.output) (o.stream === 'stdout' ? process.stdout : process.stderr).write(Buffer.from(o.data, 'base64'));
    }
    return waitStatusExitCode(r.status);
  }
}
