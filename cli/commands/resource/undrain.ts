/** flux resource undrain: return drained TARGETS to service. */
import { Command, Option } from 'clipanion';
import { ResourceCommand } from './common';

export class ResourceUndrainCommand extends ResourceCommand {
  static override paths = [['resource', 'undrain']];
  static override usage = Command.Usage({ description: 'Return drained resources to service' });
  static override sub = 'undrain';
  static override synopsis = '[-h] [-f] [-u] targets [reason ...]';
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = this.parse(this.argv, [
      { long: 'force', short: 'f' },
      { long: 'update', short: 'u' },
    ]);
    if (p.positionals.length === 0) this.usageError('the following arguments are required: targets');
    const [targets, ...words] = p.positionals;
    const payload: Record<string, unknown> = { targets };
    if (p.opts.has('force') || p.opts.has('update')) payload['mode'] = p.opts.has('force') ? 'force' : 'update';
    if (words.length > 0) payload['reason'] = words.join(' ');
    const h = await this.connect();
    await this.rpc0(h, 'resource.undrain', payload);
    return 0;
  }
}
