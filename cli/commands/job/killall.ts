/** flux job killall [-s SIG] [-u USER] [-f]: signal all your running jobs (a dry run without -f). */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { jobOptparse, optUser } from '../../jobspec/job-optparse';
import { last } from '../../getopt';
import { strsignal } from '../../../kernel/api/strsignal';
import type { FluxError } from '../../../kernel/api/errors';
import { parseSignal } from './signals';

export const KILLALL_USAGE = `Usage: flux-job killall [OPTIONS]
Send signal to multiple running jobs
  -h, --help             Display this message.
  -s, --signal=SIG       Send signal SIG (default SIGTERM)
  -u, --user=USER        Set target user or 'all' (instance owner only)
  -f, --force            Confirm the command`;

export class JobKillallCommand extends JobCommand {
  static override paths = [['job', 'killall']];
  static override usageLine = KILLALL_USAGE;
  static override usage = Command.Usage({ description: 'Send signal to multiple running jobs' });
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = jobOptparse('killall', this.argv, [
      { long: 'signal', short: 's', arg: true },
      { long: 'user', short: 'u', arg: true },
      { long: 'force', short: 'f' },
    ]);
    if (p.positionals.length > 0) throw new CommandExit(1, KILLALL_USAGE);
    const sig = last(p, 'signal') ?? 'SIGTERM';
    const signum = parseSignal(sig);
    if (signum === undefined) this.fail(`killall: Invalid signal ${sig}`);
    const userid = optUser(p, 'user');
    const dry = !p.opts.has('force');
    const h = await this.connect();
    let r: { count: number; errors: number };
    try {
      r = await h.rpc('job-manager.killall', { dry_run: dry, userid, signum });
    } catch (e) {
      this.fail(`killall: ${(e as FluxError).message}`);
    }
    if (r.count > 0 && dry) process.stderr.write(`flux-job: Command matched ${r.count} jobs (-f to confirm)\n`);
    else if (r.count > 0) process.stderr.write(`flux-job: ${strsignal(signum)} ${r.count} jobs (${r.errors} errors)\n`);
    else process.stderr.write('flux-job: Command matched 0 jobs\n');
    return 0;
  }
}
