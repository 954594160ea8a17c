/** flux job attach ID: stream a job's output and exceptions; exit with its exit code. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { tryParseJobId } from '../../../kernel/api/formats';
import { attach, AttachError } from '../../attach/attach';

export const ATTACH_USAGE = `Usage: flux-job attach [OPTIONS] id
Interactively attach to job
  -h, --help             Display this message.
  -E, --show-events      Show job events on stderr
  -X, --show-exec        Show exec events on stderr
      --show-status      Show job status line while pending
  -w, --wait-event=NAME  Wait for event NAME before detaching from eventlog
                         (default=finish)
  -l, --label-io         Label output by rank
  -v, --verbose          Increase verbosity
  -q, --quiet            Suppress warnings written to stderr from flux-job
  -r, --read-only        Disable reading stdin and capturing signals
  -u, --unbuffered       Disable buffering of stdin
  -i, --stdin-ranks=RANKS
                         Send standard input to only RANKS (default: all)
      --tail=NUM         Output only the last NUM lines of job output (default
                         10)
      --debug            Enable parallel debugger to attach to a running job`;

export class JobAttachCommand extends FluxCommand {
  static override paths = [['job', 'attach']];
  static override prog = 'flux-job';
  static override usageLine = ATTACH_USAGE;
  static override usage = Command.Usage({ description: 'Interactively attach to job' });
  showEvents = Option.Boolean('-E,--show-events', false);
  showExec = Option.Boolean('-X,--show-exec', false);
  showStatus = Option.Boolean('--show-status', false);
  waitEvent = Option.String('-w,--wait-event');
  labelIo = Option.Boolean('-l,--label-io', false);
  verbose = Option.Counter('-v,--verbose', 0);
  quiet = Option.Boolean('-q,--quiet', false);
  readOnly = Option.Boolean('-r,--read-only', false);
  unbuffered = Option.Boolean('-u,--unbuffered', false);
  stdinRanks = Option.String('-i,--stdin-ranks');
  tail = Option.String('--tail', { tolerateBoolean: true });
  debug = Option.Boolean('--debug', false);
  ids = Option.Rest();

  async run(): Promise<number> {
    if (this.ids.length !== 1) throw new CommandExit(1, ATTACH_USAGE);
    const typed = this.ids[0]!;
    const id = tryParseJobId(typed);
    if (id === undefined) this.fail(`error parsing jobid: "${typed}"`);
    const h = await this.connect();
    try {
      return await attach(h, Number(id), {
        labelIo: this.labelIo,
        stdinRanks: this.stdinRanks,
        readOnly: this.readOnly,
        showEvents: this.showEvents,
        showExec: this.showExec,
        quiet: this.quiet,
        typed,
      });
    } catch (e) {
      if (e instanceof AttachError) this.fail(e.message);
      throw e;
    }
  }
}
