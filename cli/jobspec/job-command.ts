/**
 * Base of the `flux job SUBCOMMAND` commands: the one way they turn a typed job
 * id into a number (their `flux-job` error prefix comes from their spec's prog).
 */
import { FluxCommand } from '../base-command';
import { parseIdArg } from './job-info';
import type { Client } from '../api/client';
import { Errno } from '../../lib/errno';
import type { FluxError } from '../../lib/errors';
import { encodeKvs } from '../../lib/formats';

export abstract class JobCommand extends FluxCommand {
  /** The job id the user typed, in any RFC 19 encoding; fails with Flux's message. */
  protected jobId(typed: string): number {
    const id = parseIdArg(typed);
    if (id === undefined) this.fail(`error parsing jobid: "${typed}"`);
    return id;
  }

  /**
   * The job's kvs directory once its eventlog is known to be there and ours
   * to read; fails with `notFound`, or one line for a guest asking for
   * another user's job (flux-config-access(5)).
   */
  protected async jobDir(h: Client, id: number, typed: string, notFound: string): Promise<string> {
    const dir = encodeKvs(id);
    try {
      await h.rpc('kvs.get', { key: `${dir}.eventlog` });
    } catch (e) {
      if ((e as FluxError).errno === Errno.EPERM) this.fail(`job ${typed}: Operation not permitted (guests can only read their own jobs)`);
      this.fail(notFound);
    }
    return dir;
  }
}
