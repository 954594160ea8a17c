/**
 * flux shutdown [TARGET]: shut down an instance (the current one, or TARGET: a
 * job id of an instance running as a job here, or a URI), as the end of its
 * initial program would, showing on stderr the broker log lines posted until
 * rc3 is done (cli/shutdown/log-lines.ts); --dump=PATH has the kvs dump itself
 * to PATH on its way down (the content.dump attribute, modules/kvs/final-dump.ts).
 * --background (or --nowait): start it and return.
 */
import * as path from 'node:path';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { Client } from '../api/client';
import { FluxError } from '../../lib/errors';
import { Errno } from '../../lib/errno';
import { UriError, resolveTarget, usable } from '../uri/resolve';
import { ARCHIVE_SUFFIXES, archiveFormat } from '../../lib/kvs-archive/write';
import type { BrokerLogDmesgResponse } from '../../lib/protocol/broker';
import { LOG_DEBUG, LOG_INFO, LOG_WARNING, logPrinter } from '../shutdown/log-lines';

/** how long the instance may go without a word before we stop waiting for it */
const QUIET_MS = 60_000;

/** why --gc, --dump=auto, -y and -n are refused */
const NO_GC = 'flux-ts does not garbage collect its kvs offline (its LMDB store keeps no unreferenced content)';

export class ShutdownCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['shutdown'],
    // flux-shutdown is one of Flux's C built-ins (liboptparse)
    grammar: 'getopt',
    prog: 'flux-shutdown',
    summary: 'Shut down the Flux instance',
    docLine: true,
    usage: '[OPTIONS] [TARGET]',
    options: [
      { name: 'gc', description: 'Garbage collect KVS (short for --dump=auto): refused, flux-ts has nothing to collect' },
      { name: 'skip-gc', description: 'Skip KVS garbage collection this time, if already enabled (flux-ts never enables one: nothing to skip)' },
      { name: 'dump', arg: 'PATH', description: 'Dump KVS content to specified archive file using flux-dump(1).' },
      { name: 'background', description: 'Exit the command immediately after initiating shutdown' },
      { name: 'nowait', description: 'Same as --background (flux-ts\'s older name)', hidden: true },
      { name: 'quiet', description: 'Show only log messages <= LOG_WARNING level' },
      { name: 'verbose', short: 'v', arg: '[LEVEL]', optionalArg: true, description: 'Increase log verbosity: 0=show log messages <= LOG_INFO level (default), 1=show all log messages' },
      { name: 'yes', short: 'y', description: 'Answer yes to any yes/no questions: refused, flux-ts asks none' },
      { name: 'no', short: 'n', description: 'Answer no to any yes/no questions: refused, flux-ts asks none' },
    ],
    operands: [{ name: 'TARGET', nargs: '?' }],
  };

  /** The broker going away is what we asked for, not an error. */
  protected override connectionLost(): void {}

  async run(): Promise<number> {
    const o = this.args;
    if (o.has('gc') || o.str('dump') === 'auto') this.fail(`${o.has('gc') ? '--gc' : '--dump=auto'}: ${NO_GC}`);
    for (const [name, flag] of [['yes', '-y/--yes'], ['no', '-n/--no']] as const) if (o.has(name)) this.fail(`${flag}: no garbage collection question to answer: ${NO_GC}`);
    const level = this.level();
    const dump = o.str('dump');
    if (dump !== undefined && archiveFormat(dump) === undefined) this.fail(`--dump: No such format '${dump}' (${ARCHIVE_SUFFIXES})`);
    const h = await this.open();
    if (dump !== undefined) {
      try {
        // the broker writes it: a relative PATH is this command's, not the broker's working directory
        await h.rpc('attr.set', { name: 'content.dump', value: path.resolve(dump), force: false });
      } catch (e) {
        if (e instanceof FluxError) this.fail(`setattr content.dump: ${e.message}`);
        throw e;
      }
      process.stderr.write(this.errorLine('shutdown will dump KVS (this may take some time)') + '\n');
    }
    const background = o.has('background') || o.has('nowait');
    let heard = Date.now();
    const gone = new Promise<void>((resolve) => h.onLost(() => resolve()));
    if (!background) {
      // asked first, on the same connection: the broker follows its log before it starts going down, so no line is missed
      const print = logPrinter(level, (s) => process.stderr.write(s));
      h.rpcStream('log.dmesg', { follow: true, nobacklog: true }, (p) => {
        heard = Date.now();
        print((p as BrokerLogDmesgResponse).entry);
      }).done.catch(() => {});
    }
    try {
      await h.rpc('broker.shutdown', {}, { nodeid: 0 });
    } catch (e) {
      // the broker may go before its answer reaches us: that is the shutdown working
      if (!(e instanceof FluxError && e.errno === Errno.ECONNRESET)) throw e;
    }
    if (background) return 0;
    for (;;) {
      const left = heard + QUIET_MS - Date.now();
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(left, 0)).unref());
      if ((await Promise.race([gone, timer])) !== 'timeout') return 0;
      if (Date.now() - heard >= QUIET_MS) this.fail(`the instance is still up after ${QUIET_MS / 1000}s without a word`);
    }
  }

  /** the most severe level shown: --quiet warning, --verbose[=1] everything, else info */
  private level(): number {
    if (this.args.has('quiet')) return LOG_WARNING;
    const v = this.args.str('verbose');
    if (v === undefined) return LOG_INFO;
    if (v === '') return LOG_DEBUG;
    if (!/^-?[0-9]+$/.test(v)) this.fail(`option verbose: invalid integer '${v}'`);
    return Number(v) === 0 ? LOG_INFO : LOG_DEBUG;
  }

  private async open(): Promise<Client> {
    const target = this.args.operands[0];
    if (target === undefined) return this.connect();
    let uri: string;
    try {
      uri = usable(await resolveTarget(target, () => this.connect()));
    } catch (e) {
      if (!(e instanceof UriError || e instanceof FluxError)) throw e;
      // as Flux's: flux uri says why (on its stderr), then flux-shutdown gives up
      process.stderr.write(`flux-uri: ERROR: ${e.message}\n`);
      this.fail(`failed to resolve target ${target} to a Flux URI`);
    }
    try {
      return await Client.connect(uri);
    } catch (e) {
      if (e instanceof FluxError) this.fail(e.message);
      throw e;
    }
  }
}
