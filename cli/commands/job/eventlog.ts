/** flux job eventlog ID: print a job eventlog (formats.md §5.4 text, or raw JSON lines). */
import { JobCommand } from '../../jobspec/job-command';
import { encodeKvs } from '../../../kernel/api/formats';
import type { CommandSpec } from '../../options';

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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

function isoTime(ts: number): string {
  const d = new Date(ts * 1000);
  const us = String(Math.round((ts % 1) * 1e6) % 1e6).padStart(6, '0');
  const off = -d.getTimezoneOffset();
  const tz = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${us}${tz}`;
}

/** One eventlog entry as text: `<time> <name>[ key=json]...` */
export function renderEntry(e: Entry, time: string): string {
  let s = `${time} ${e.name}`;
  for (const [k, v] of Object.entries(e.context ?? {})) s += ` ${k}=${JSON.stringify(v)}`;
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
    const dir = encodeKvs(id);
    try {
      await h.rpc('kvs.get', { key: `${dir}.eventlog` });
    } catch {
      this.fail(`job ${typed} not found`);
    }
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
    const t0 = entries[0]?.timestamp ?? 0;
    let out = '';
    let anchor = -1;
    let lastMinute = '';
    for (const e of entries) {
      let time: string;
      if (this.human) {
        const d = new Date(e.timestamp * 1000);
        const minute = `${MONTHS[d.getMonth()]}${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
        if (minute !== lastMinute) {
          lastMinute = minute;
          anchor = e.timestamp;
          time = `[${minute}]`;
        } else {
          const off = e.timestamp - anchor;
          time = `[${(off >= 0 ? '+' : '') + off.toFixed(6)}]`.replace(/^\[/, '[' + ' '.repeat(Math.max(0, 11 - ((off >= 0 ? '+' : '') + off.toFixed(6)).length)));
        }
      } else if (this.timeFormat === 'iso') time = isoTime(e.timestamp);
      else if (this.timeFormat === 'offset') time = (e.timestamp - t0).toFixed(6);
      else time = e.timestamp.toFixed(6);
      out += renderEntry(e, time) + '\n';
    }
    process.stdout.write(out);
    return 0;
  }
}
