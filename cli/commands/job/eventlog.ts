/** flux job eventlog ID: print a job eventlog (formats.md §5.4 text, or raw JSON lines). */
import { JobCommand } from '../../jobspec/job-command';
import type { CommandSpec } from '../../options';
import { EntryTimes, type TimeFormat } from '../../eventlog/times';
import { contextValue } from '../../eventlog/reals';

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

const PATHS: Record<string, string> = {
  eventlog: 'eventlog',
  exec: 'guest.exec.eventlog',
  output: 'guest.output',
  input: 'guest.input',
};

/** One eventlog entry as text: `<time> <name>[ key=json]...` (Flux's reals as jansson prints them: eventlog/reals.ts) */
export function renderEntry(e: Entry, time: string): string {
  let s = `${time} ${e.name}`;
  for (const [k, v] of Object.entries(e.context ?? {})) s += ` ${k}=${contextValue(e.name, k, v)}`;
  return s;
}

export class JobEventlogCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'eventlog'],
    grammar: 'getopt',
    prog: 'flux-job eventlog',
    summary: 'Display eventlog for a job',
    docLine: true,
    usage: '[OPTIONS] id',
    options: [
      { name: 'format', short: 'f', arg: 'FORMAT', default: 'text', description: 'Specify output format: text, json' },
      { name: 'time-format', short: 'T', arg: 'FORMAT', default: 'raw', description: 'Specify time format: raw, iso, offset' },
      { name: 'human', short: 'H', description: 'Display human-readable output. See also -L, --color.' },
      { name: 'path', short: 'p', arg: 'PATH', default: 'eventlog', description: 'Specify alternate eventlog name or path suffix (e.g. "exec", "output", "input")' },
    ],
    operands: [{ name: 'id', nargs: '1' }],
  };

  private get format(): string {
    return this.args.str('format', 'text');
  }
  private get timeFormat(): string {
    return this.args.str('time-format', 'raw');
  }
  private get human(): boolean {
    return this.args.has('human');
  }
  private get logPath(): string {
    return this.args.str('path', 'eventlog');
  }

  async run(): Promise<number> {
    if (!['text', 'json'].includes(this.format)) this.fail(`invalid format type '${this.format}'`);
    if (!['raw', 'iso', 'offset'].includes(this.timeFormat)) this.fail(`invalid time format '${this.timeFormat}'`);
    const typed = this.args.operands[0]!;
    const id = this.jobId(typed);
    const h = await this.connect();
    const dir = await this.jobDir(h, id, typed, `job ${typed} not found`);
    let text: unknown;
    try {
      text = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${dir}.${PATHS[this.logPath] ?? this.logPath}` })).value;
    } catch {
      this.fail(`eventlog path ${this.logPath} not found`);
    }
    if (typeof text !== 'string') this.fail(`eventlog path ${this.logPath} is not an eventlog`);
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (this.format === 'json') {
      process.stdout.write(lines.map((l) => l + '\n').join(''));
      return 0;
    }
    const entries = lines.map((l) => JSON.parse(l) as Entry);
    const times = new EntryTimes(this.timeFormat as TimeFormat, this.human);
    let out = '';
    for (const e of entries) out += renderEntry(e, times.time(e.timestamp)) + '\n';
    process.stdout.write(out);
    return 0;
  }
}
