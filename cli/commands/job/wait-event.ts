/**
 * flux job wait-event [-f FMT] [-T FMT] [-H] [-t FSD] [-m KEY=VAL] [-c N] [-q]
 * [-v] [-p PATH] [-W] ID EVENT: block until EVENT (with KEY=VAL in its
 * context, the COUNTth such) is in the job's eventlog, print it.
 */
import { JobCommand } from '../../jobspec/job-command';
import { fsd } from '../../../lib/formats';
import { renderEntry } from './eventlog';
import { EntryTimes, type TimeFormat } from '../../eventlog/times';
import { contextMatcher } from './wait-event-match';
import { optInt } from '../../jobspec/job-options';
import { longTimeout, type LongTimer } from '../../../lib/long-timer';
import type { CommandSpec } from '../../options';

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

const PATHS: Record<string, string> = { eventlog: 'eventlog', exec: 'guest.exec.eventlog', output: 'guest.output', input: 'guest.input' };

export class JobWaitEventCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'wait-event'],
    grammar: 'getopt',
    prog: 'flux-job wait-event',
    summary: 'Wait for an event',
    docLine: true,
    usage: '[OPTIONS] id event',
    options: [
      { name: 'format', short: 'f', arg: 'FORMAT', default: 'text', description: 'Specify output format: text, json' },
      { name: 'time-format', short: 'T', arg: 'FORMAT', default: 'raw', description: 'Specify time format: raw, iso, offset' },
      { name: 'human', short: 'H', description: 'Display human-readable output. See also --format and --time-format.' },
      { name: 'timeout', short: 't', arg: 'DURATION', description: 'timeout after DURATION' },
      { name: 'match-context', short: 'm', arg: 'KEY=VAL', description: 'match key=val in context' },
      { name: 'count', short: 'c', arg: 'COUNT', description: 'required number of matches (default 1)' },
      { name: 'path', short: 'p', arg: 'PATH', default: 'eventlog', description: 'Specify alternate eventlog name or path suffix (e.g. "exec", "output", "input")' },
      { name: 'quiet', short: 'q', description: 'Do not output matched event' },
      { name: 'verbose', short: 'v', description: 'Output all events before matched event' },
      { name: 'waitcreate', short: 'W', description: 'If path does not exist, wait for its creation' },
    ],
    operands: [
      { name: 'id', nargs: '1' },
      { name: 'event', nargs: '1' },
    ],
  };

  private get format(): string {
    return this.args.str('format', 'text');
  }
  private get timeout(): string | undefined {
    return this.args.str('timeout');
  }
  private get logPath(): string {
    return this.args.str('path', 'eventlog');
  }
  private get quiet(): boolean {
    return this.args.has('quiet');
  }
  private get verbose(): boolean {
    return this.args.has('verbose');
  }

  async run(): Promise<number> {
    const [typed, name] = this.args.operands as [string, string];
    const id = this.jobId(typed);
    let ms: number | undefined;
    if (this.timeout !== undefined) {
      const t = fsd.tryParse(this.timeout);
      if (t === undefined) this.fail(`invalid timeout '${this.timeout}'`);
      ms = t === Infinity ? undefined : t * 1000;
    }
    const count = optInt('wait-event', this.args, 'count', 1);
    if (count <= 0) this.fail('count must be > 0');
    const human = this.args.has('human');
    const format = human ? 'text' : this.format;
    const timeFormat = this.args.str('time-format', 'raw');
    if (!['text', 'json'].includes(format)) this.fail(`invalid format type '${format}'`);
    if (!['raw', 'iso', 'offset'].includes(timeFormat)) this.fail(`invalid time-format type '${timeFormat}'`);
    const mc = this.args.str('match-context');
    const matches = mc === undefined ? () => true : contextMatcher(mc);
    if (matches === undefined) this.fail('must specify a context test as key=value');
    const times = new EntryTimes(timeFormat as TimeFormat, human);
    const h = await this.connect();
    const dir = await this.jobDir(h, id, typed, `job ${typed} not found`);
    const print = (e: Entry) => process.stdout.write((format === 'json' ? JSON.stringify(e) : renderEntry(e, times.time(e.timestamp))) + '\n');
    let found = false;
    let matched = 0;
    let timer: LongTimer | undefined;
    const key = `${dir}.${PATHS[this.logPath] ?? this.logPath}`;
    const exists = () => h.rpc('kvs.get', { key }).then(
      () => true,
      () => false,
    );
    const result = await new Promise<'found' | 'end' | 'timeout' | 'missing'>((resolve) => {
      if (ms !== undefined) timer = longTimeout(() => resolve('timeout'), ms);
      if (key !== `${dir}.eventlog` && !this.args.has('waitcreate')) {
        // the shell's logs (guest.: exec, output) may not be there yet: they can still appear while
        // the job is active, never once the job's own eventlog has ended (the job is inactive);
        // any other path is there or not found (-W waits for either to be made)
        const guest = key.startsWith(`${dir}.guest.`);
        void exists().then((there) => {
          if (there) return;
          if (!guest) return resolve('missing');
          const ended = () => void exists().then((now) => !now && resolve('missing'));
          h.rpcStream('kvs.watch', { key: `${dir}.eventlog` }, (p) => {
            if (((p as { entries?: Entry[] }).entries ?? []).some((e) => e.name === 'clean')) ended();
          }).then(ended, ended);
        });
      }
      h.rpcStream('kvs.watch', { key, waitcreate: true }, (p) => {
        for (const e of (p as { entries?: Entry[] }).entries ?? []) {
          if (found) return;
          if (e.name === name && matches(e.name, e.context) && ++matched === count) {
            found = true;
            if (!this.quiet) print(e);
            resolve('found');
            return;
          }
          if (this.verbose) print(e);
        }
      }).then(
        () => resolve('end'),
        () => resolve('end'),
      );
    });
    timer?.clear();
    if (result === 'timeout') this.fail(`wait-event timeout on event '${name}'`);
    if (result === 'missing') this.fail(`eventlog path ${this.logPath} not found`);
    if (result === 'end') this.fail(`event '${name}' never received`);
    return 0;
  }
}
