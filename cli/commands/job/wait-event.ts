/** flux job wait-event [-t FSD] [-q] [-v] [-p PATH] ID EVENT: block until EVENT is in the job's eventlog, print it. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { encodeKvs, fsd } from '../../../kernel/api/formats';
import { renderEntry } from './eventlog';
import { longTimeout, type LongTimer } from '../../../kernel/api/long-timer';

export const WAIT_EVENT_USAGE = `Usage: flux-job wait-event [OPTIONS] id event
Wait for an event
  -h, --help             Display this message.
  -f, --format=FORMAT    Specify output format: text, json
  -t, --timeout=DURATION timeout after DURATION
  -p, --path=PATH        Specify alternate eventlog name or path suffix (e.g.
                         "exec", "output", "input")
  -q, --quiet            Do not output matched event
  -v, --verbose          Output all events before matched event`;

interface Entry {
  timestamp: number;
  name: string;
  context?: Record<string, unknown>;
}

const PATHS: Record<string, string> = { eventlog: 'eventlog', exec: 'guest.exec.eventlog', output: 'guest.output', input: 'guest.input' };

export class JobWaitEventCommand extends JobCommand {
  static override paths = [['job', 'wait-event']];
  static override usageLine = WAIT_EVENT_USAGE;
  static override usage = Command.Usage({ description: 'Wait for an event' });
  format = Option.String('-f,--format', 'text');
  timeout = Option.String('-t,--timeout');
  logPath = Option.String('-p,--path', 'eventlog');
  quiet = Option.Boolean('-q,--quiet', false);
  verbose = Option.Boolean('-v,--verbose', false);
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length !== 2) throw new CommandExit(1, WAIT_EVENT_USAGE);
    const [typed, name] = this.args as [string, string];
    const id = this.jobId(typed);
    let ms: number | undefined;
    if (this.timeout !== undefined) {
      const t = fsd.tryParse(this.timeout);
      if (t === undefined) this.fail(`invalid timeout '${this.timeout}'`);
      ms = t === Infinity ? undefined : t * 1000;
    }
    const h = await this.connect();
    const dir = encodeKvs(id);
    try {
      await h.rpc('kvs.get', { key: `${dir}.eventlog` });
    } catch {
      this.fail(`job ${typed} not found`);
    }
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
