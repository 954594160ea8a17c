/** flux job raise [-s SEV] [-t TYPE] [-m NOTE] ID... [--] [NOTE...]: raise an exception on jobs. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { parseIdArg } from '../../jobspec/job-info';
import { jobOptparse, optInt } from '../../jobspec/job-optparse';
import { last } from '../../getopt';
import type { FluxError } from '../../../kernel/api/errors';

export const RAISE_USAGE = `Usage: flux-job raise [OPTIONS] ids... [--] [message ...]
Raise exception on one or more jobs
  -h, --help             Display this message.
  -s, --severity=N       Set exception severity [0-7] (default=0)
  -t, --type=TYPE        Set exception type (default=cancel)
  -m, --message=NOTE     Set exception note`;

export class JobRaiseCommand extends JobCommand {
  static override paths = [['job', 'raise']];
  static override usageLine = RAISE_USAGE;
  static override usage = Command.Usage({ description: 'Raise exception on one or more jobs' });
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = jobOptparse('raise', this.argv, [
      { long: 'severity', short: 's', arg: true },
      { long: 'type', short: 't', arg: true },
      { long: 'message', short: 'm', arg: true },
    ]);
    if (p.positionals.length === 0) throw new CommandExit(1, RAISE_USAGE);
    const severity = optInt('raise', p, 'severity', 0);
    const type = last(p, 'type') ?? 'cancel';
    // job ids up to the first word that is not one; the rest (after an optional --) is the note
    const ids: Array<[string, number]> = [];
    let i = 0;
    for (; i < p.positionals.length; i++) {
      const a = p.positionals[i]!;
      const id = parseIdArg(a);
      if (id === undefined) break;
      ids.push([a, id]);
    }
    if (ids.length === 0) this.jobId(p.positionals[0]!);
    if (p.positionals[i] === '--') i++;
    const words = p.positionals.slice(i);
    const message = last(p, 'message');
    if (words.length > 0 && message !== undefined) this.fail('Do not set note on command line and with --message');
    const note = message ?? words.join(' ');
    const h = await this.connect();
    const errors = await Promise.all(
      ids.map(([typed, id]) =>
        h.rpc('job-manager.raise', { id, type, severity, note }).then(
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
