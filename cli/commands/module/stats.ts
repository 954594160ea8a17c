/**
 * flux module stats [-p NAME] [-t int|double] [-s N] [-c] MODULE: a module's
 * statistics object (its `stats-get` method), or one value of it.
 */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { STATS_USAGE } from './group';

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
  static override paths = [['module', 'stats']];
  static override prog = 'flux-module';
  static override usageLine = STATS_USAGE;
  static override usage = Command.Usage({ description: "Display a module's statistics" });
  parse = Option.String('-p,--parse', { description: 'Print only the value named OBJNAME (a.b for nested)' });
  type = Option.String('-t,--type', { description: 'Print that value as int or double' });
  scale = Option.String('-s,--scale', { description: 'Multiply that value by N' });
  clear = Option.Boolean('-c,--clear', false, { description: "Clear the module's statistics" });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 1) throw new CommandExit(1, STATS_USAGE);
    const name = this.args[0]!;
    if (this.type !== undefined && this.type !== 'int' && this.type !== 'double') {
      throw new CommandExit(1, `flux-module: --type=${this.type}: must be int or double`);
    }
    const scale = this.scale === undefined ? 1 : Number(this.scale);
    if (!Number.isFinite(scale)) throw new CommandExit(1, `flux-module: --scale=${this.scale}: not a number`);
    const h = await this.connect();
    if (this.clear) {
      await h.rpc(`${name}.stats-clear`, {});
      return 0;
    }
    const stats = await h.rpc<Obj>(`${name}.stats-get`, {});
    if (this.parse === undefined) {
      process.stdout.write(`${JSON.stringify(stats)}\n`);
      return 0;
    }
    const v = pick(stats, this.parse);
    if (v === undefined) throw new CommandExit(1, `flux-module: ${this.parse} not found in ${name} stats`);
    if (typeof v === 'number') {
      const x = v * scale;
      process.stdout.write(`${this.type === 'int' ? Math.trunc(x) : this.type === 'double' ? x.toFixed(6) : x}\n`);
    } else {
      process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    }
    return 0;
  }
}
