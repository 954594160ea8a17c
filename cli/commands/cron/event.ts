/** flux cron event [-N NAME] [-n NTH] [-a AFTER] [-i MIN] [-c N] [-o OPTS] [-E] [-d DIR] TOPIC COMMAND...: run COMMAND on events matching TOPIC. */
import { CronCreateCommand, DIR_OPT, ENV_OPT, OPTIONS_OPT, cronSpec } from './group';
import { count, duration } from './interval';

export class CronEventCommand extends CronCreateCommand {
  static override spec = cronSpec(
    'event',
    'Run COMMAND on every event matching TOPIC',
    '[OPTIONS] TOPIC COMMAND...',
    [
      { name: 'name', short: 'N', arg: 'NAME', description: 'Name the cron entry NAME instead of the first word of COMMAND' },
      { name: 'nth', short: 'n', arg: 'N', description: 'Run COMMAND every Nth matching event' },
      { name: 'after', short: 'a', arg: 'N', description: 'Run COMMAND the first time only after N events' },
      { name: 'min-interval', short: 'i', arg: 'T', description: 'Run COMMAND at most once every T (an FSD), however fast events come' },
      { name: 'count', short: 'c', arg: 'N', description: 'Repeat COMMAND at most N times' },
      OPTIONS_OPT,
      ENV_OPT,
      DIR_OPT,
    ],
    [
      { name: 'TOPIC', nargs: '1' },
      { name: 'COMMAND', nargs: '+' },
    ],
  );

  bad(msg: string): never {
    this.fail(msg);
  }

  async run(): Promise<number> {
    const [topic, ...words] = this.args.operands;
    if (topic === undefined || words.length === 0) this.fail('TOPIC and COMMAND args are required');
    const command = words.join(' ');
    const mi = this.args.str('min-interval');
    const args: Record<string, unknown> = { topic };
    const nth = count(this, 'nth', this.args.str('nth'));
    const after = count(this, 'after', this.args.str('after'));
    if (nth !== undefined) args['nth'] = nth;
    if (after !== undefined) args['after'] = after;
    if (mi !== undefined) args['min_interval'] = duration(this, mi);
    const req = {
      type: 'event' as const,
      name: this.args.str('name') ?? command.split(/\s+/)[0]!,
      command,
      args,
      repeat: count(this, 'count', this.args.str('count')) ?? null,
      ...this.common(),
    };
    const e = await this.create(await this.connect(), req);
    this.say(`cron-${e.id} created`);
    return 0;
  }
}
