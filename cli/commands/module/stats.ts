/**
 * flux module stats [-p NAME] [-t int|double] [-s N] [-c] MODULE: a module's
 * statistics object (its `stats-get` method), or one value of it.
 */
import { FluxCommand, CommandExit } from '../../base-command';
import type { CommandSpec } from '../../options';

type Obj = Record<string, unknown>;

/** `a.b.c` inside a stats object; undefined where a step is missing. */
function pick(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const step of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(step in cur)) return undefined;
    cur = (cur as Obj)[step];
  }
  return cur;
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
      { name: 'clear', short: 'c', description: 'Clear stats' },
    ],
    operands: [{ name: 'module', nargs: '1' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const parse = this.args.str('parse');
    const type = this.args.str('type');
    const scaleArg = this.args.str('scale');
    if (type !== undefined && type !== 'int' && type !== 'double') {
      throw new CommandExit(1, `flux-module: --type=${type}: must be int or double`);
    }
    const scale = scaleArg === undefined ? 1 : Number(scaleArg);
    if (!Number.isFinite(scale)) throw new CommandExit(1, `flux-module: --scale=${scaleArg}: not a number`);
    const h = await this.connect();
    if (this.args.has('clear')) {
      await h.rpc(`${name}.stats-clear`, {});
      return 0;
    }
    const stats = await h.rpc<Obj>(`${name}.stats-get`, {});
    if (parse === undefined) {
      process.stdout.write(`${JSON.stringify(stats)}\n`);
      return 0;
    }
    const v = pick(stats, parse);
    if (v === undefined) throw new CommandExit(1, `flux-module: ${parse} not found in ${name} stats`);
    if (typeof v === 'number') {
      const x = v * scale;
      process.stdout.write(`${type === 'int' ? Math.trunc(x) : type === 'double' ? x.toFixed(6) : x}\n`);
    } else {
      process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    }
    return 0;
  }
}
