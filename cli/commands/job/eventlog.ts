/**
 * flux job eventlog ID: print a job eventlog (formats.md §5.4 text, or raw JSON
 * lines); -F follows it until the job is inactive; -L colours it as Flux does
 * (time green, name yellow, an exception bold red, keys blue, values magenta,
 * numbers gray).
 */
import { JobCommand } from '../../jobspec/job-command';
import type { CommandSpec } from '../../options';
import { COLOR_OPT, colorOn, entryTimes } from '../../eventlog/options';
import { contextValue } from '../../eventlog/reals';
import type { Client } from '../../api/client';
import type { StreamCall } from '../../../lib/rpc';

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

const RESET = '\x1b[0m';
const PALETTE = { time: '\x1b[32m', timebreak: '\x1b[1m\x1b[32m', name: '\x1b[33m', exception: '\x1b[1m\x1b[31m', key: '\x1b[34m', value: '\x1b[35m', number: '\x1b[90m' };

/** One eventlog entry as text: `<time> <name>[ key=json]...` (Flux's reals as jansson prints them: eventlog/reals.ts); color: ANSI colours */
export function renderEntry(e: Entry, time: string, color = false): string {
  const paint = (c: string, s: string) => (color ? `${c}${s}${RESET}` : s);
  const timeColor = time.startsWith('[') && !time.startsWith('[ ') && !/^\[[+-]/.test(time) ? PALETTE.timebreak : PALETTE.time;
  let s = `${paint(timeColor, time)} ${paint(e.name === 'exception' ? PALETTE.exception : PALETTE.name, e.name)}`;
  for (const [k, v] of Object.entries(e.context ?? {})) s += ` ${paint(PALETTE.key, k)}=${paint(typeof v === 'number' ? PALETTE.number : PALETTE.value, contextValue(e.name, k, v))}`;
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
      { name: 'time-format', short: 'T', arg: 'FORMAT', default: 'raw', description: 'Specify time format: raw, iso, offset, human' },
      { name: 'human', short: 'H', description: 'Display human-readable output. See also -L, --color.' },
      COLOR_OPT,
      { name: 'follow', short: 'F', description: 'Follow events until job is inactive' },
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
  private get logPath(): string {
    return this.args.str('path', 'eventlog');
  }

  async run(): Promise<number> {
    if (!['text', 'json'].includes(this.format)) this.fail(`invalid format type '${this.format}'`);
    const times = entryTimes(this.timeFormat, this.args.has('human'));
    if (times === undefined) this.fail(`invalid time format '${this.timeFormat}'`);
    const color = colorOn(this.args);
    if (typeof color === 'string') this.fail(`invalid value for --color: '${color}'`);
    const typed = this.args.operands[0]!;
    const id = this.jobId(typed);
    const h = await this.connect();
    const dir = await this.jobDir(h, id, typed, `job ${typed} not found`);
    const show = (e: Entry) => (this.format === 'json' ? JSON.stringify(e) : renderEntry(e, times.time(e.timestamp), color)) + '\n';
    if (this.args.has('follow')) return this.followLog(h, dir, show);
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
    process.stdout.write(lines.map((l) => show(JSON.parse(l) as Entry)).join(''));
    return 0;
  }

  /**
   * -F: the entries as they are appended, until the job is inactive (its
   * eventlog's `clean`); a guest eventlog (exec, output) may appear later
   * and ends with the job too.
   */
  private async followLog(h: Client, dir: string, show: (e: Entry) => string): Promise<number> {
    const key = `${dir}.${PATHS[this.logPath] ?? this.logPath}`;
    const main = `${dir}.eventlog`;
    const calls: StreamCall[] = [];
    const stop = () => {
      for (const c of calls) void c.cancel();
    };
    calls.push(
      h.rpcStream('kvs.watch', { key, waitcreate: key !== main }, (p) => {
        for (const e of (p as { entries?: Entry[] }).entries ?? []) {
          process.stdout.write(show(e));
          if (key === main && e.name === 'clean') stop();
        }
      }),
    );
    if (key !== main) {
      calls.push(
        h.rpcStream('kvs.watch', { key: main }, (p) => {
          if (((p as { entries?: Entry[] }).entries ?? []).some((e) => e.name === 'clean')) stop();
        }),
      );
    }
    await Promise.race(calls.map((c) => Promise.resolve(c).catch(() => undefined)));
    stop();
    return 0;
  }
}
