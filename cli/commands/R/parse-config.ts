/**
 * flux R parse-config PATH: R from the `[[resource.config]]` entries of a
 * TOML file or a directory of *.toml files (flux-config-resource(5)), checked
 * as the broker checks them at start.
 */
import { checkConfig } from '../../../lib/config-schema';
import { loadConfigLocated } from '../../../lib/config/config';
import { placeOf } from '../../../lib/config/locate';
import { resourceConfigSchema, type ConfigEntry } from '../../../lib/resource/config-schema';
import { fromConfigEntries } from '../../../lib/resource/from-config';
import { RCommand, rSpec } from '../../R/r-command';

export class RParseConfigCommand extends RCommand {
  static override spec = {
    ...rSpec('parse-config', 'Parse the [resource.config] array of the TOML configuration in PATH (a file or a directory) and emit R', [], 'PATH', [
      { name: 'PATH', nargs: '1' as const },
    ]),
    freeOperands: true,
  };

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length !== 1) this.usage();
    const where = ops[0]!;
    const { config, where: at } = this.attempt(() => loadConfigLocated(where, []));
    const table = { resource: config['resource'] ?? {} };
    const problem = checkConfig({ resource: resourceConfigSchema['resource']! }, table);
    if (problem) {
      const place = placeOf(at, problem.path);
      this.fail(`Config file error: ${place !== undefined ? `${place}: ` : ''}${problem.path}: ${problem.text}`);
    }
    const entries = (table.resource as { config?: ConfigEntry[] }).config;
    if (entries === undefined || entries.length === 0) this.fail(`${where}: no [[resource.config]] entries`);
    this.print({ ranks: fromConfigEntries(entries), starttime: 0, expiration: 0 });
    return 0;
  }
}
