/**
 * flux module stats [-p NAME] [-t int|double] [-s N] [-R[WHO]] [-c|-C] MODULE:
 * a module's statistics object (its `stats-get` method), or its `rusage`,
 * or one value of either, printed as Flux prints them (stats-output.ts);
 * -c asks the module to clear its stats, -C does so on every rank (the
 * `MODULE.stats-clear` event).
 */
import { FluxCommand, CommandExit } from '../../base-command';
import type { CommandSpec } from '../../options';
import type { Client } from '../../api/client';
import { formatStats } from './stats-output';

/** rpc to `topic`, an error said as `flux-module: TOPIC: why` */
async function call(h: Client, topic: string, payload: unknown): Promise<unknown> {
  try {
    return await h.rpc(topic, payload);
  } catch (e) {
    throw new CommandExit(1, `flux-module: ${topic}: ${(e as Error).message}`);
  }
}

export class ModuleStatsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'stats'],
    grammar: 'getopt',
    prog: 'flux-module stats',
    summary: 'Display stats on module',
    docLine: true,
    usage: '[OPTIONS] module',
    options: [
      { name: 'parse', short: 'p', arg: 'OBJNAME', description: 'Parse object period-delimited object name' },
      { name: 'scale', short: 's', arg: 'N', description: 'Scale numeric JSON value by N' },
      { name: 'type', short: 't', arg: 'int|double', description: 'Convert JSON value to specified type' },
      { name: 'rusage', short: 'R', arg: '[self|children|thread]', optionalArg: true, description: 'Request rusage data instead of stats (default: self)' },
      { name: 'clear', short: 'c', description: 'Clear stats on target rank' },
      { name: 'clear-all', short: 'C', description: 'Clear stats on all ranks' },
    ],
    operands: [{ name: 'module', nargs: '1' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const type = this.args.str('type');
    const scaleArg = this.args.str('scale');
    if (type !== undefined && type !== 'int' && type !== 'double') {
      throw new CommandExit(1, `flux-module: --type=${type}: must be int or double`);
    }
    const scale = scaleArg === undefined ? 1 : Number(scaleArg);
    if (scaleArg === '' || !Number.isFinite(scale)) throw new CommandExit(1, `flux-module: --scale=${scaleArg}: not a number`);
    const modes = (['clear', 'clear-all', 'rusage'] as const).filter((o) => this.args.has(o));
    if (modes.length > 1) throw new CommandExit(1, 'flux-module: only one of --clear, --clear-all, --rusage may be given');
    const clearing = modes[0] === 'clear' || modes[0] === 'clear-all';
    if (clearing && (['parse', 'scale', 'type'] as const).some((o) => this.args.has(o))) {
      throw new CommandExit(1, `flux-module: --parse, --scale and --type do not apply to --${modes[0]}`);
    }
    const h = await this.connect();
    const clearTopic = `${name}.stats-clear`;
    if (clearing) {
      // -C: this rank's module first, so a module that keeps no resettable
      // stats is refused here rather than the event going unheard
      await call(h, clearTopic, {});
      if (modes[0] === 'clear-all') await call(h, 'event.pub', { topic: clearTopic, flags: 0 });
      return 0;
    }
    const who = this.args.str('rusage');
    const reply = modes[0] === 'rusage' ? await call(h, `${name}.rusage`, who ? { who } : {}) : await call(h, `${name}.stats-get`, {});
    const out = formatStats(reply, { parse: this.args.str('parse'), type, scale });
    if (out === undefined) throw new CommandExit(1, `flux-module: \`${this.args.str('parse')}' not found in response`);
    process.stdout.write(out);
    return 0;
  }
}
