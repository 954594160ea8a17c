/** flux job killall [-s SIG] [-u USER] [-f]: signal all your running jobs (a dry run without -f). */
import { JobCommand } from '../../jobspec/job-command';
import { optUser } from '../../jobspec/job-options';
import { strsignal } from '../../../lib/strsignal';
import type { FluxError } from '../../../lib/errors';
import { parseSignal } from './signals';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobKillallCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'killall'],
    grammar: 'getopt',
    prog: 'flux-job killall',
    summary: 'Send signal to multiple running jobs',
    docLine: true,
    usage: '[OPTIONS]',
    options: [
      { name: 'signal', short: 's', arg: 'SIG', default: 'SIGTERM', description: 'Send signal SIG (default SIGTERM)' },
      { name: 'user', short: 'u', arg: 'USER', description: "Set target user or 'all' (instance owner only)" },
      { name: 'force', short: 'f', description: 'Confirm the command' },
    ],
    operands: [],
  };

  async run(): Promise<number> {
    const p = this.args;
    const sig = p.str('signal', 'SIGTERM');
    const signum = parseSignal(sig);
    if (signum === undefined) this.fail(`killall: Invalid signal ${sig}`);
    const userid = optUser(p, 'user');
    const dry = !p.has('force');
    const h = await this.connect();
    let r: { count: number; errors: number };
    try {
      r = await jobManager.call(h, 'killall', { dry_run: dry, userid, signum });
    } catch (e) {
      this.fail(`killall: ${(e as FluxError).message}`);
    }
    if (r.count > 0 && dry) process.stderr.write(`flux-job: Command matched ${r.count} jobs (-f to confirm)\n`);
    else if (r.count > 0) process.stderr.write(`flux-job: ${strsignal(signum)} ${r.count} jobs (${r.errors} errors)\n`);
    else process.stderr.write('flux-job: Command matched 0 jobs\n');
    return 0;
  }
}
