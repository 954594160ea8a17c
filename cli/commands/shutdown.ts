/**
 * flux shutdown [TARGET]: shut down an instance (the current one, or TARGET: a
 * job id of an instance running as a job here, or a URI), as the end of its
 * initial program would; wait until it has gone (--nowait: do not).
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../base-command';
import { Client } from '../api/client';
import { FluxError } from '../../kernel/api/errors';
import { Errno } from '../../kernel/api/errno';
import { UriError, resolveTarget, usable } from '../uri/resolve';

const USAGE = 'usage: flux shutdown [-h] [--nowait] [TARGET]';
const WAIT_MS = 60_000;

export class ShutdownCommand extends FluxCommand {
  static override paths = [['shutdown']];
  static override prog = 'flux-shutdown';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Shut down a Flux instance' });
  nowait = Option.Boolean('--nowait', false, { description: 'Do not wait for the instance to shut down' });
  args = Option.Rest();

  /** The broker going away is what we asked for, not an error. */
  protected override connectionLost(): void {}

  async run(): Promise<number> {
    if (this.args.length > 1) throw new CommandExit(2, `${USAGE}\nflux shutdown: error: unrecognized arguments: ${this.args.slice(1).join(' ')}`);
    let h: Client;
    try {
      if (this.args.length === 1) {
        const uri = usable(await resolveTarget(this.args[0]!, () => this.connect()));
        h = await Client.connect(uri);
      } else {
        h = await this.connect();
      }
    } catch (e) {
      if (e instanceof UriError || e instanceof FluxError) this.fail(e.message);
      throw e;
    }
    const gone = new Promise<void>((resolve) => h.onLost(() => resolve()));
    try {
      await h.rpc('broker.shutdown', {}, { nodeid: 0 });
    } catch (e) {
      // the broker may go before its answer reaches us: that is the shutdown working
      if (!(e instanceof FluxError && e.errno === Errno.ECONNRESET)) throw e;
    }
    if (this.nowait) return 0;
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WAIT_MS).unref());
    if ((await Promise.race([gone, timer])) === 'timeout') this.fail(`the instance is still up after ${WAIT_MS / 1000}s`);
    return 0;
  }
}
