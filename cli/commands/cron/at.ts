/**
 * flux cron at [-o OPTS] [-E] [-d DIR] TIME COMMAND...: run COMMAND once at
 * TIME, any date string date(1) understands (`+1 hour`, `tomorrow 10:00`,
 * `2026-12-24 18:00`), as Flux's flux-cron reads it with `date --date`.
 */
import { execFile } from 'node:child_process';
import { CronCreateCommand, DIR_OPT, ENV_OPT, OPTIONS_OPT, cronSpec, ctime } from './group';

/** TIME as epoch seconds through `date +%s --date=TIME`; undefined when date refuses it. */
function dateOf(s: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('date', ['+%s', `--date=${s}`], { env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 }, (err, out) => {
      const t = Number(out.trim());
      resolve(err || out.trim() === '' || !Number.isFinite(t) ? undefined : t);
    });
  });
}

export class CronAtCommand extends CronCreateCommand {
  static override spec = cronSpec(
    'at',
    'Schedule a cron job at a given date and time',
    '[OPTIONS] TIME COMMAND...',
    [OPTIONS_OPT, ENV_OPT, DIR_OPT],
    [
      { name: 'TIME', nargs: '1' },
      { name: 'COMMAND', nargs: '+' },
    ],
  );

  async run(): Promise<number> {
    const [when, ...words] = this.args.operands;
    if (when === undefined || words.length === 0) this.fail('TIME and COMMAND args are required');
    const t = await dateOf(when);
    if (t === undefined) this.fail(`Failed to parse datetime '${when}' (give a date(1) string: '+1 hour', 'tomorrow 10:00', '2026-12-24 18:00')`);
    if (t <= Date.now() / 1000) this.fail(`'${when}' is in the past`);
    const d = new Date(t * 1000);
    const command = words.join(' ');
    const args = { second: d.getSeconds(), minute: d.getMinutes(), hour: d.getHours(), mday: d.getDate(), month: d.getMonth(), year: d.getFullYear() - 1900 };
    const e = await this.create(await this.connect(), { type: 'datetime', name: command.split(/\s+/)[0]!, command, args, repeat: 1, ...this.common() });
    const next = Number(e.typedata['next_wakeup']);
    this.say(`cron-${e.id} created: scheduled in ${(next - Date.now() / 1000).toFixed(3)}s at ${ctime(next)}`);
    return 0;
  }
}
