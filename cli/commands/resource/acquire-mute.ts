/**
 * flux resource acquire-mute: from now on the scheduler is told of no change
 * in the resources (Flux's rc1 pushes it as a cleanup command, so that the
 * brokers leaving at shutdown are not seen as nodes lost by running jobs).
 */
import { ResourceCommand, resourceSpec } from './common';

export class ResourceAcquireMuteCommand extends ResourceCommand {
  static override spec = resourceSpec('acquire-mute', 'Tell the scheduler of no more resource changes (a shutdown step)', [], []);

  async run(): Promise<number> {
    const h = await this.connect();
    await this.rpc0(h, 'resource.acquire-mute', {});
    return 0;
  }
}
