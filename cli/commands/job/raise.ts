/** flux job raise [-s SEV] [-t TYPE] [-m NOTE] ID... [--] [NOTE...]: raise an exception on jobs. */
import { JobCommand } from '../../jobspec/job-command';
import { parseIdArg } from '../../jobspec/job-info';
import { optInt } from '../../jobspec/job-options';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobRaiseCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'raise'],
    grammar: 'getopt',
    prog: 'flux-job raise',
    summary: 'Raise exception on one or more jobs',
    docLine: true,
    usage: '[OPTIONS] ids... [--] [message ...]',
    options: [
      { name: 'severity', short: 's', arg: 'N', default: '0', description: 'Set exception severity [0-7] (default=0)' },
      { name: 'type', short: 't', arg: 'TYPE', default: 'cancel', description: 'Set exception type (default=cancel)' },
      { name: 'message', short: 'm', arg: 'NOTE', description: 'Set exception note' },
    ],
    operands: [
      { name: 'ids', nargs: '+' },
      { name: 'message', nargs: '*' },
    ],
  };

  async run(): Promise<number> {
    const p = this.args;
    const severity = optInt('raise', p, 'severity', 0);
    const type = p.str('type', 'cancel');
    // job ids up to the first word that is not one; the rest (after an optional --) is the note
    const ids: Array<[string, number]> = [];
    let i = 0;
    for (; i < p.operands.length; i++) {
      const a = p.operands[i]!;
      const id = parseIdArg(a);
      if (id === undefined) break;
      ids.push([a, id]);
    }
    if (ids.length === 0) this.jobId(p.operands[0]!);
    if (p.operands[i] === '--') i++;
    const words = p.operands.slice(i);
    const message = p.str('message');
    if (words.length > 0 && message !== undefined) this.fail('Do not set note on command line and with --message');
    const note = message ?? words.join(' ');
    const h = await this.connect();
    const errors = await Promise.all(
      ids.map(([typed, id]) =>
        jobManager.call(h, 'raise', { id, type, severity, note }).then(
          () => undefined,
          (e: FluxError) => `flux-job: raise ${typed}: ${e.message}\n`,
        ),
      ),
    );
    const failed = errors.filter((e): e is string => e !== undefined);
    process.stderr.write(failed.join(''));
    return failed.length > 0 ? 1 : 0;
  }
}
