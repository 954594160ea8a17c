/**
 * flux kvs namespace list: the namespaces (only `primary` in flux-ts);
 * create and remove are refused in one line.
 */
import { CommandExit, FluxCommand } from '../../base-command';
import { kvsSpec } from './options';

export class KvsNamespaceCommand extends FluxCommand {
  static override spec = { ...kvsSpec(['namespace'], 'Perform KVS namespace operations', 'list', [], []), freeOperands: true };

  async run(): Promise<number> {
    const what = this.args.operands[0];
    if (what === 'list') {
      process.stdout.write(`${'NAMESPACE'.padEnd(36)}${'OWNER'.padStart(11)} ${'FLAGS'.padStart(10)}\n`);
      process.stdout.write(`${'primary'.padEnd(36)}${String(process.getuid?.() ?? 0).padStart(11)} 0x00000000\n`);
      return 0;
    }
    if (what === 'create' || what === 'remove') this.fail(`namespace ${what}: only the primary namespace exists in flux-ts`);
    // then the group's usage, as Flux prints it (eventlog.ts does the same)
    throw new CommandExit(1, `flux-kvs namespace: ${what === undefined ? 'missing subcommand' : `Unknown subcommand: ${what}`}\nUsage: flux-kvs namespace list`);
  }
}
