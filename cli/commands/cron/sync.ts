/** flux cron sync [-d] [-e TIME] [TOPIC]: show, set or disable the event that due tasks wait for. */
import type { CronSyncRequest, CronSyncResponse } from '../../../lib/protocol/cron';
import { CronCommand, cronSpec } from './group';
import { duration } from './interval';

export class CronSyncCommand extends CronCommand {
  static override spec = cronSpec(
    'sync',
    'Query and modify sync-on-event behavior for flux-cron',
    '[OPTIONS] [TOPIC]',
    [
      { name: 'disable', short: 'd', description: 'Disable cron sync-event' },
      { name: 'epsilon', short: 'e', arg: 'TIME', description: 'Set amount of time after a sync-event that jobs are still allowed to be run.' },
    ],
    [{ name: 'TOPIC', nargs: '?' }],
  );

  bad(msg: string): never {
    this.fail(msg);
  }

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length > 1) this.usage();
    const req: CronSyncRequest = {};
    if (this.args.has('disable')) req.disable = true;
    else if (ops[0] !== undefined) req.topic = ops[0];
    const eps = this.args.str('epsilon');
    if (eps !== undefined) req.sync_epsilon = duration(this, eps);
    const h = await this.connect();
    const r = await h.rpc<CronSyncResponse>('cron.sync', req);
    if (r.sync_disabled) this.say('sync disabled.');
    else this.say(`sync to event "${r.sync_event ?? ''}" epsilon=${(r.sync_epsilon ?? 0).toFixed(3)}s.`);
    return 0;
  }
}
