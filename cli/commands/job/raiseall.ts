/** flux job raiseall TYPE [-s SEV] [-u USER] [-S STATES] [-f] [NOTE...]: raise an exception on many jobs. */
import { JobCommand } from '../../jobspec/job-command';
import { isInactiveMask, optInt, optStates, optUser } from '../../jobspec/job-options';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { JobStates } from '../../../lib/protocol/job-states';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');


export class JobRaiseallCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'raiseall'],
    grammar: 'getopt',
    prog: 'flux-job raiseall',
    summary: 'Raise an exception on multiple jobs.',
    docLine: true,
    usage: 'OPTIONS type [message ...]',
    options: [
      { name: 'severity', short: 's', arg: 'N', default: '7', description: 'Set exception severity [0-7] (0 is fatal, default=7)' },
      { name: 'user', short: 'u', arg: 'USER', description: "Set target user or 'all' (instance owner only)" },
      { name: 'states', short: 'S', arg: 'STATES', default: 'ACTIVE', description: 'Set target job states (default=ACTIVE)' },
      { name: 'force', short: 'f', description: 'Confirm the command' },
    ],
    operands: [
      { name: 'type', nargs: '1' },
      { name: 'message', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const p = this.args;
    const severity = optInt('raiseall', p, 'severity', 7);
    const [type, ...words] = p.operands as [string, ...string[]];
    const states = optStates(p, 'states') ?? JobStates.ACTIVE;
    if (isInactiveMask(states)) this.fail('Exceptions cannot be raised on inactive jobs');
    const userid = optUser(p, 'user');
    const dry = !p.has('force');
    const h = await this.connect();
    let r: { count: number; errors: number };
    try {
      r = await jobManager.call(h, 'raiseall', { dry_run: dry, userid, states, severity, type, note: words.join(' ') });
    } catch (e) {
      this.fail(`raiseall: ${(e as FluxError).message}`);
    }
    if (r.count > 0 && dry) process.stderr.write(`flux-job: Command matched ${r.count} jobs (-f to confirm)\n`);
    else if (r.count > 0) process.stderr.write(`flux-job: Raised exception on ${r.count} jobs (${r.errors} errors)\n`);
    else process.stderr.write('flux-job: Command matched 0 jobs\n');
    return 0;
  }
}
