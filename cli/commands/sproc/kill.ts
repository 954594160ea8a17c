/** flux sproc kill [-w] SIGNUM PID|LABEL: signal a process rexec runs (and with -w, wait for it). */
import { FluxCommand } from '../../base-command';
import { waitStatusExitCode } from '../../../lib/strsignal';
import { signalNumber } from '../../../lib/config/exec-settings';
import type { RexecWaitResponse } from '../../../lib/protocol/rexec';
import { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';
import { errorText, pidOrLabel, rankError, sprocRpc, sprocSpec } from './group';

export class SprocKillCommand extends FluxCommand {
  static override spec = sprocSpec(
    'kill',
    'Send a signal to a subprocess',
    [{ name: 'wait', short: 'w', description: 'wait for process after sending signal' }],
    [
      { name: 'signum', nargs: '1', description: 'signal number (or name: TERM, SIGKILL)' },
      { name: 'pid', nargs: '1', description: 'PID or LABEL' },
    ],
  );

  async run(): Promise<number> {
    const p = this.args;
    const badRank = rankError(p);
    if (badRank) this.usageError(badRank);
    const [sigArg, target] = p.operands as [string, string];
    // 15, TERM or SIGTERM
    const sig = signalNumber(sigArg);
    if (sig === undefined) this.usageError(`argument signum: invalid signal: '${sigArg}'`);
    const who = pidOrLabel(target);
    const h = await this.connect();
    // the wait goes first, so a process that dies of the signal is still there to wait for
    const waited = p.has('wait') ? sprocRpc<RexecWaitResponse>(h, p, 'wait', who) : undefined;
    waited?.catch(() => {}); // its error is reported below
    try {
      await sprocRpc(h, p, 'kill', { ...who, signum: sig });
    } catch (e) {
      process.stderr.write(`flux-sproc: ERROR: kill: ${errorText(e)}\n`);
      if (!(waited && e instanceof FluxError && e.errno === Errno.ESRCH)) return 1;
    }
    if (!waited) return 0;
    try {
      return waitStatusExitCode((await waited).status);
    } catch (e) {
      this.fail(`kill: wait failed: ${errorText(e)}`);
    }
  }
}
