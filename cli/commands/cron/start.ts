/** flux cron start ID...: start stopped entries (their run and failure counts start again). */
import { CronCommand, cronSpec } from './group';

export class CronStartCommand extends CronCommand {
  static override spec = cronSpec('start', 'Start a stopped flux cron job', 'IDs...', [], [{ name: 'IDs', nargs: '+' }]);

  async run(): Promise<number> {
    const ids = this.ids();
    const h = await this.connect();
    for (const id of ids) {
      await h.rpc('cron.start', { id });
      process.stdout.write(`Started cron-${id}\n`);
    }
    return 0;
  }
}
