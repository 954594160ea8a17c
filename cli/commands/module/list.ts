/** flux module list [-l]: the local broker's modules in Flux's table layout. */
import { FluxCommand } from '../../base-command';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { BrokerProtocol } from '../../../lib/protocol/broker';

const broker = service<BrokerProtocol>('');

const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w) : s.padEnd(w));

export class ModuleListCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['module', 'list'],
    grammar: 'getopt',
    prog: 'flux-module list',
    summary: 'List loaded modules',
    docLine: true,
    usage: '[OPTIONS]',
    options: [{ name: 'long', short: 'l', description: 'Include full DSO path for each module' }],
    operands: [],
  };

  private get long(): boolean {
    return this.args.has('long');
  }

  async run(): Promise<number> {
    const h = await this.connect();
    const r = await broker.call(h, 'module.list', {});
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
