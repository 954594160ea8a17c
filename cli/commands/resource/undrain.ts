/** flux resource undrain: return drained TARGETS to service. */
import { ResourceCommand, resourceSpec } from './common';

export class ResourceUndrainCommand extends ResourceCommand {
  static override spec = resourceSpec(
    'undrain',
    'Return drained resources to service',
    [
      { name: 'force', short: 'f', description: 'Do not fail if any of the targets are not drained' },
      { name: 'update', short: 'u', description: 'Update only: undrain only the targets that are drained' },
    ],
    [
      { name: 'targets', nargs: '1', description: 'List of targets to undrain (IDSET or HOSTLIST)' },
      { name: 'reason', nargs: '*', description: 'Reason for undraining the targets' },
    ],
  );

  async run(): Promise<number> {
    const p = this.args;
    const [targets, ...words] = p.operands;
    const payload: Record<string, unknown> = { targets };
    if (p.has('force') || p.has('update')) payload['mode'] = p.has('force') ? 'force' : 'update';
    if (words.length > 0) payload['reason'] = words.join(' ');
    const h = await this.connect();
    await this.rpc0(h, 'resource.undrain', payload);
    return 0;
  }
}
