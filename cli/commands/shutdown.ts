/**
 * flux shutdown [TARGET]: shut down an instance (the current one, or TARGET: a
 * job id of an instance running as a job here, or a URI), as the end of its
 * initial program would; wait until it has gone (--nowait, or Flux's
 * --background: do not).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { Errno } from '../../lib/errno';
import { UriError, resolveTarget, usable } from '../uri/resolve';

const WAIT_MS = 60_000;

export class ShutdownCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['shutdown'],
    // flux-shutdown is one of Flux's Python commands
    grammar: 'argparse',
    prog: 'flux shutdown',
    errorName: 'flux-shutdown',
    summary: 'Shut down a Flux instance',
    options: [
      { name: 'nowait', description: 'Do not wait for the instance to shut down' },
      { name: 'background', description: 'Exit the command immediately after initiating shutdown (as --nowait)' },
    ],
    operands: [{ name: 'TARGET', nargs: '?' }],
  };

  /** The broker going away is what we asked for, not an error. */
  protected override connectionLost(): void {}

  async run(): Promise<number> {
    let h: Client;
    try {
      const target = this.args.operands[0];
      if (target !== undefined) {
        const uri = usable(await resolveTarget(target, () => this.connect()));
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
    if (this.args.has('nowait') || this.args.has('background')) return 0;
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WAIT_MS).unref());
    if ((await Promise.race([gone, timer])) === 'timeout') this.fail(`the instance is still up after ${WAIT_MS / 1000}s`);
    return 0;
  }
}
