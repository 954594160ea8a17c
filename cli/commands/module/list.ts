/** flux module list [-l]: the local broker's modules in Flux's table layout. */
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { LIST_USAGE } from './group';

interface ModInfo {
  name: string;
  path: string;
  idle: number;
  status: string;
  services: string[];
  sendqueue: number;
  recvqueue: number;
}

const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w) : s.padEnd(w));

export class ModuleListCommand extends FluxCommand {
  static override paths = [['module', 'list']];
  static override prog = 'flux-module';
  static override usageLine = LIST_USAGE;
  static override usage = Command.Usage({ description: 'List the modules loaded in the local broker' });
  long = Option.Boolean('-l,--long', false, { description: 'Include the module path' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 0) throw new CommandExit(1, LIST_USAGE);
    const h = await this.connect();
    const r = await h.rpc<{ mods: ModInfo[] }>('module.list', {});
    const lines: string[] = [];
    const head = `${'Module'.padEnd(25)} ${'Idle'.padStart(4)}  S Sendq Recvq Service`;
    lines.push(this.long ? `${head}  Path` : head);
    for (const m of r.mods) {
      const idle = m.idle > 99 ? 'idle' : String(m.idle);
      const svc = m.services.filter((s) => s !== m.name).join(',');
      const row = `${fit(m.name, 25)} ${idle.padStart(4)}  ${(m.status || '?')[0]} ${String(m.sendqueue).padStart(5)} ${String(m.recvqueue).padStart(5)} `;
      if (this.long) {
        const short = svc.length > 8 ? svc.slice(0, 7) + '+' : svc.padEnd(8);
        lines.push(`${row}${short} ${m.path || 'builtin'}`);
      } else {
        lines.push(`${row}${svc}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
}
