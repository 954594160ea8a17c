/**
 * flux cron tab [-o OPTS] [-E] [-d DIR] [FILE]: one entry per crontab line
 * (minute hour mday month weekday command; month 0-11 as Flux's). Every line
 * is checked before any entry is made: a bad one is named and nothing is
 * created.
 */
import * as fs from 'node:fs';
import { nextWakeup, parseSpec, splitCrontabLine, type Unit } from '../../../lib/cron/datespec';
import { readAtMost } from '../../read-stream';

/** a crontab is a few lines: refuse what cannot be one */
const MAX_CRONTAB = 1 << 20;
import { CronCreateCommand, DIR_OPT, ENV_OPT, OPTIONS_OPT, cronSpec, ctime } from './group';

export class CronTabCommand extends CronCreateCommand {
  static override spec = cronSpec('tab', 'Schedule cron jobs using crontab(5) format', '[OPTIONS] [FILE]', [OPTIONS_OPT, ENV_OPT, DIR_OPT], [{ name: 'FILE', nargs: '?' }]);

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length > 1) this.usage();
    const file = ops[0];
    let text: string;
    if (file === undefined || file === '-') {
      const b = await readAtMost(process.stdin, MAX_CRONTAB);
      if (b === undefined) this.fail(`crontab on stdin is larger than ${MAX_CRONTAB} bytes`);
      text = b.toString('utf8');
    } else {
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (e) {
        this.fail(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
      }
    }
    const lines: Array<{ fields: Partial<Record<Unit, string>>; command: string }> = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '');
      if (line.trim() === '') return;
      const l = splitCrontabLine(line);
      if (!l) this.fail(`line ${i + 1}: expected 5 time fields and a command: ${raw.trim()}`);
      try {
        if (nextWakeup(parseSpec(l.fields), Date.now() / 1000) === undefined) throw new Error('no date in the next two years matches it');
      } catch (e) {
        this.fail(`line ${i + 1}: ${(e as Error).message}: ${raw.trim()}`);
      }
      lines.push(l);
    });
    const common = this.common();
    const h = await this.connect();
    for (const l of lines) {
      const e = await this.create(h, { type: 'datetime', name: l.command.split(/\s+/)[0]!, command: l.command, args: l.fields, ...common });
      const next = Number(e.typedata['next_wakeup']);
      this.say(`cron-${e.id} created: scheduled in ${(next - Date.now() / 1000).toFixed(3)}s at ${ctime(next)}`);
    }
    return 0;
  }
}
