/**
 * flux module debug [-C] [-S MASK] [-s BIT] [-c BIT] MODULE: get or change a
 * module's debug flag word (its `debug` method: `{op, flags}` -> `{flags}`)
 * and print it as Flux does, `0x%x`. With no option the word is only read
 * (Flux sends `setbit` of 0). Values as strtoul(3) base 0: 0x hex, 0 octal,
 * else decimal.
 */
import { FluxCommand, CommandExit } from '../../base-command';
import type { CommandSpec } from '../../options';

/** strtoul(s, NULL, 0) of a whole word, 32 bits; undefined for anything else */
export function parseMask(s: string): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s.trim());
  if (!m) return undefined;
  const t = m[1]!;
  const v = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t.startsWith('0') ? parseInt(t.slice(1), 8) : Number(t);
  return v <= 0xffffffff ? v : undefined;
}

const OPS = [
  ['clear', 'clr'],
  ['set', 'set'],
  ['clearbit', 'clrbit'],
  ['setbit', 'setbit'],
] as const;

export class ModuleDebugCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'debug'],
    grammar: 'getopt',
    prog: 'flux-module debug',
    summary: 'Get/set module debug flags',
    docLine: true,
    usage: '[OPTIONS] module',
    options: [
      { name: 'clear', short: 'C', description: 'Set debug flags to 0' },
      { name: 'set', short: 'S', arg: 'MASK', description: 'Set debug flags to MASK' },
      { name: 'setbit', short: 's', arg: 'MASK', description: 'Set one debug flag to 1' },
      { name: 'clearbit', short: 'c', arg: 'MASK', description: 'Set one debug flag to 0' },
    ],
    operands: [{ name: 'module', nargs: '1' }],
  };

  async run(): Promise<number> {
    const name = this.args.operands[0]!;
    const given = OPS.filter(([o]) => this.args.has(o));
    if (given.length > 1) throw new CommandExit(1, 'flux-module: only one of --clear, --set, --clearbit, --setbit may be given');
    const [opt, op] = given[0] ?? [undefined, 'setbit'];
    let flags = 0;
    if (opt !== undefined && opt !== 'clear') {
      const arg = this.args.str(opt)!;
      const v = parseMask(arg);
      if (v === undefined) throw new CommandExit(1, `flux-module: --${opt}=${arg}: not a number from 0 to 0xffffffff`);
      flags = v;
    }
    const h = await this.connect();
    const topic = `${name}.debug`;
    let r: { flags: number };
    try {
      r = await h.rpc<{ flags: number }>(topic, { op, flags });
    } catch (e) {
      throw new CommandExit(1, `flux-module: ${topic}: ${(e as Error).message}`);
    }
    process.stdout.write(`0x${(r.flags >>> 0).toString(16)}\n`);
    return 0;
  }
}
