/** flux cron delete [-k] ID...: remove entries; a running task is left to finish, or with --kill sent SIGTERM. */
import type { CronEntryResponse } from '../../../lib/protocol/cron';
import type { CronEntryJson } from '../../../lib/cron/types';
import { CronCommand, cronSpec, reladate, secondsToString } from './group';

export class CronDeleteCommand extends CronCommand {
  static override spec = cronSpec(
    'delete',
    'Delete flux cron entries',
    '[OPTIONS] IDs...',
    [{ name: 'kill', short: 'k', description: 'Also kill any currently running task associated with this entry' }],
    [{ name: 'IDs', nargs: '+' }],
  );

  async run(): Promise<number> {
    const ids = this.ids();
    const h = await this.connect();
    for (const id of ids) {
      const r = await h.rpc<CronEntryResponse>('cron.delete', { id, kill: this.args.has('kill') });
      const e = r.entry as CronEntryJson;
      const t = e.tasks[0];
      let extra = '';
      const t0 = t?.['start-time'];
      const t1 = t?.['end-time'];
      if (t0 !== undefined && t1 !== undefined) extra = ` last ran ${reladate(t1)} for ${secondsToString(t1 - t0)}`;
      else if (t0 !== undefined) extra = ` still running. Started ${reladate(t0)}`;
      process.stdout.write(`Removed cron-${id}: ${e.name}${extra}\n`);
    }
    return 0;
  }
}
