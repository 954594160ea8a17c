/** flux job raiseall TYPE [-s SEV] [-u USER] [-S STATES] [-f] [NOTE...]: raise an exception on many jobs. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { isInactiveMask, jobOptparse, optInt, optStates, optUser } from '../../jobspec/job-optparse';
import type { FluxError } from '../../../kernel/api/errors';

export const RAISEALL_USAGE = `Usage: flux-job raiseall OPTIONS type [message ...]
Raise an exception on multiple jobs.
  -h, --help             Display this message.
  -s, --severity=N       Set exception severity [0-7] (0 is fatal, default=7)
  -u, --user=USER        Set target user or 'all' (instance owner only)
  -S, --states=STATES    Set target job states (default=ACTIVE)
  -f, --force            Confirm the command`;

const ACTIVE = 62;

export class JobRaiseallCommand extends JobCommand {
  static override paths = [['job', 'raiseall']];
  static override usageLine = RAISEALL_USAGE;
  static override usage = Command.Usage({ description: 'Raise an exception on multiple jobs.' });
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = jobOptparse('raiseall', this.argv, [
      { long: 'severity', short: 's', arg: true },
      { long: 'user', short: 'u', arg: true },
      { long: 'states', short: 'S', arg: true },
      { long: 'force', short: 'f' },
    ]);
    if (p.positionals.length === 0) throw new CommandExit(1, RAISEALL_USAGE);
    const severity = optInt('raiseall', p, 'severity', 7);
    const [type, ...words] = p.positionals as [string, ...string[]];
    const states = optStates(p, 'states') ?? ACTIVE;
    if (isInactiveMask(states)) this.fail('Exceptions cannot be raised on inactive jobs');
    const userid = optUser(p, 'user');
    const dry = !p.opts.has('force');
    const h = await this.connect();
    let r: { count: number; errors: number };
    try {
      r = await h.rpc('job-manager.raiseall', { dry_run: dry, userid, states, severity, type, note: words.join(' ') });
    } catch (e) {
      this.fail(`raiseall: ${(e as FluxError).message}`);
    }
    if (r.count > 0 && dry) process.stderr.write(`flux-job: Command matched ${r.count} jobs (-f to confirm)\n`);
    else if (r.count > 0) process.stderr.write(`flux-job: Raised exception on ${r.count} jobs (${r.errors} errors)\n`);
    else process.stderr.write('flux-job: Command matched 0 jobs\n');
    return 0;
  }
}
