/** flux cron interval [-n NAME] [-a AFTER] [-c N] [-o OPTS] [-E] [-d DIR] INTERVAL COMMAND...: run COMMAND every INTERVAL. */
import { fsd } from '../../../lib/formats';
import { CronCreateCommand, DIR_OPT, ENV_OPT, OPTIONS_OPT, cronSpec } from './group';

/** An FSD (`1.5s`, `2m`, `0`), else the command's one-line error. */
export function duration(cmd: { bad(msg: string): never }, s: string): number {
  const v = fsd.tryParse(s);
  if (v === undefined || !Number.isFinite(v)) cmd.bad(`Invalid duration '${s}'`);
  return v;
}

/** a count option (-c, -n, -a of event): an integer >= 0 */
export function count(cmd: { bad(msg: string): never }, opt: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^[0-9]+$/.test(s)) cmd.bad(`--${opt}=${s}: must be an integer >= 0`);
  return Number(s);
}

export class CronIntervalCommand extends CronCreateCommand {
  static override spec = cronSpec(
    'interval',
    'Run COMMAND once every INTERVAL',
    '[OPTIONS] INTERVAL COMMAND...',
    [
      { name: 'count', short: 'c', arg: 'N', description: 'Repeat COMMAND at most N times' },
      { name: 'name', short: 'n', arg: 'NAME', description: 'Name the cron entry NAME instead of the first word of COMMAND' },
      { name: 'after', short: 'a', arg: 'INTERVAL', description: 'Run the first time after INTERVAL instead of after the interval' },
      OPTIONS_OPT,
      ENV_OPT,
      DIR_OPT,
    ],
    [
      { name: 'INTERVAL', nargs: '1' },
      { name: 'COMMAND', nargs: '+' },
    ],
  );

  bad(msg: string): never {
    this.fail(msg);
  }

  async run(): Promise<number> {
    const [iv, ...words] = this.args.operands;
    if (iv === undefined || words.length === 0) this.fail('INTERVAL and COMMAND required');
    const interval = duration(this, iv);
    const after = this.args.str('after');
    const command = words.join(' ');
    const req = {
      type: 'interval' as const,
      name: this.args.str('name') ?? command.split(/\s+/)[0]!,
      command,
      args: { interval, ...(after !== undefined ? { after: duration(this, after) } : {}) },
      repeat: count(this, 'count', this.args.str('count')) ?? null,
      ...this.common(),
    };
    const e = await this.create(await this.connect(), req);
    this.say(`cron-${e.id} created`);
    return 0;
  }
}
