/**
 * `flux kvs namespace` without (or with an unknown) sub-command: Flux's one
 * line, then the usage of the three it has (namespace-create.ts,
 * namespace-remove.ts, namespace-list.ts), as Flux's option parser lists them.
 */
import { CommandExit, FluxCommand } from '../../base-command';
import { kvsSpec } from './options';

/** each sub-command's usage, by name (Flux's order) */
export const NAMESPACE_USAGE: ReadonlyArray<[string, string]> = [
  ['create', '[-o owner] name [name...]'],
  ['list', ''],
  ['remove', 'name [name...]'],
];

export class KvsNamespaceCommand extends FluxCommand {
  static override spec = { ...kvsSpec(['namespace'], 'Perform KVS namespace operations', '[create|list|remove] ...', [], []), freeOperands: true };

  async run(): Promise<number> {
    const what = this.args.operands[0];
    const usage = NAMESPACE_USAGE.map(([name, args], i) => `${i === 0 ? 'Usage' : '   or'}: flux-kvs namespace ${name}${args === '' ? '' : ` ${args}`}`).join('\n');
    throw new CommandExit(1, `flux-kvs namespace: ${what === undefined ? 'missing subcommand' : `Unknown subcommand: ${what}`}\n${usage}`);
  }
}
