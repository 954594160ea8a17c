/**
 * Base of the `flux job SUBCOMMAND` commands: the one way they turn a typed job
 * id into a number (their `flux-job` error prefix comes from their spec's prog).
 */
import { FluxCommand } from '../base-command';
import { parseIdArg } from './job-info';

export abstract class JobCommand extends FluxCommand {
  /** The job id the user typed, in any RFC 19 encoding; fails with Flux's message. */
  protected jobId(typed: string): number {
    const id = parseIdArg(typed);
    if (id === undefined) this.fail(`error parsing jobid: "${typed}"`);
    return id;
  }
}
