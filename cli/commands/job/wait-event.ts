/** flux job wait-event [-t FSD] [-q] [-v] [-p PATH] ID EVENT: block until EVENT is in the job's eventlog, print it. */
import { JobCommand } from '../../jobspec/job-command';
import { fsd } from '../../../lib/formats';
import { renderEntry } from './eventlog';
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
      { name: 'timeout', short: 't', arg: 'DURATION', description: 'timeout after DURATION' },
      { name: 'path', short: 'p', arg: 'PATH', default: 'eventlog', description: 'Specify alternate eventlog name or path suffix (e.g. "exec", "output", "input")' },
      { name: 'quiet', short: 'q', description: 'Do not output matched event' },
      { name: 'verbose', short: 'v', description: 'Output all events before matched event' },
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
    const h = await this.connect();
    const dir = await this.jobDir(h, id, typed, `job ${typed} not found`);
    const print = (e: Entry) =>
      process.stdout.write((this.format === 'json' ? JSON.stringify(e) : renderEntry(e, e.timestamp.toFixed(6))) + '\n');
    let found = false;
    let timer: LongTimer | undefined;
    const key = `${dir}.${PATHS[this.logPath] ?? this.logPath}`;
    const exists = () => h.rpc('kvs.get', { key }).then(
      () => true,
      () => false,
    );
    const result = await new Promise<'found' | 'end' | 'timeout' | 'missing'>((resolve) => {
      if (ms !== undefined) timer = longTimeout(() => resolve('timeout'), ms);
      if (key !== `${dir}.eventlog`) {
        // another log (exec, output) may not be there yet: it can still appear while the job is
        // active, never once the job's own eventlog has ended (the job is inactive)
        void exists().then((there) => {
          if (there) return;
          const ended = () => void exists().then((now) => !now && resolve('missing'));
          h.rpcStream('kvs.watch', { key: `${dir}.eventlog` }, (p) => {
            if (((p as { entries?: Entry[] }).entries ?? []).some((e) => e.name === 'clean')) ended();
          }).then(ended, ended);
        });
      }
      h.rpcStream('kvs.watch', { key }, (p) => {
        for (const e of (p as { entries?: Entry[] }).entries ?? []) {
          if (found) return;
          if (e.name === name) {
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
