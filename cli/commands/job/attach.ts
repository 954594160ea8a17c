/** flux job attach ID: stream a job's output and exceptions; exit with its exit code. */
import { FluxCommand } from '../../base-command';
import { tryParseJobId } from '../../../lib/formats';
import { attach, AttachError } from '../../attach/attach';
import { tailLines } from '../../attach/tail';
import type { CommandSpec } from '../../options';

export class JobAttachCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['job', 'attach'],
    grammar: 'getopt',
    prog: 'flux-job attach',
    summary: 'Interactively attach to job',
    docLine: true,
    usage: '[OPTIONS] id',
    options: [
      { name: 'show-events', short: 'E', description: 'Show job events on stderr' },
      { name: 'show-exec', short: 'X', description: 'Show exec events on stderr' },
      { name: 'show-status', description: 'Show job status line while pending' },
      { name: 'wait-event', short: 'w', arg: 'NAME', description: 'Wait for event NAME before detaching from eventlog (default=finish)' },
      { name: 'label-io', short: 'l', description: 'Label output by rank' },
      { name: 'verbose', short: 'v', description: 'Increase verbosity' },
      { name: 'quiet', short: 'q', description: 'Suppress warnings written to stderr from flux-job' },
      { name: 'read-only', short: 'r', description: 'Disable reading stdin and capturing signals' },
      { name: 'unbuffered', short: 'u', description: 'Disable buffering of stdin' },
      { name: 'stdin-ranks', short: 'i', arg: 'RANKS', description: 'Send standard input to only RANKS (default: all)' },
      { name: 'tail', arg: 'NUM', optionalArg: true, description: 'Output only the last NUM lines of job output (default 10)' },
      { name: 'debug', description: 'Enable parallel debugger to attach to a running job' },
    ],
    operands: [{ name: 'id', nargs: '1' }],
  };

  private get labelIo(): boolean {
    return this.args.has('label-io');
  }
  private get stdinRanks(): string | undefined {
    return this.args.str('stdin-ranks');
  }
  private get readOnly(): boolean {
    return this.args.has('read-only');
  }
  private get showEvents(): boolean {
    return this.args.has('show-events');
  }
  private get showExec(): boolean {
    return this.args.has('show-exec');
  }
  private get quiet(): boolean {
    return this.args.has('quiet');
  }

  async run(): Promise<number> {
    if (this.args.has('debug')) this.fail('--debug: not supported by flux-ts yet (no parallel debugger interface)');
    let tail: number | undefined;
    try {
      tail = tailLines(this.args.str('tail'), this.args.has('tail'));
    } catch (e) {
      this.fail((e as Error).message);
    }
    const typed = this.args.operands[0]!;
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
        tail,
        showStatus: this.args.has('show-status'),
        waitEvent: this.args.str('wait-event'),
        verbose: this.args.has('verbose'),
      });
    } catch (e) {
      if (e instanceof AttachError) this.fail(e.message);
      throw e;
    }
  }
}
