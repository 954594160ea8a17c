/** flux cron stop ID...: stop entries (they stay listed until deleted). */
import { CronCommand, cronSpec } from './group';

export class CronStopCommand extends CronCommand {
  static override spec = cronSpec('stop', 'Stop a flux cron job from executing', 'IDs...', [], [{ name: 'IDs', nargs: '+' }]);

  async run(): Promise<number> {
    const ids = this.ids();
    const h = await this.connect();
    for (const id of ids) {
      await h.rpc('cron.stop', { id });
      process.stdout.write(`Stopped cron-${id}\n`);
    }
    return 0;
  }
}
