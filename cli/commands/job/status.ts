/**
 * flux job status ID...: wait for jobs to finish; exit with the largest exit
 * code, as Flux's: a job shell's status as a shell gives it (128+N for a
 * signal), and -e N (default 1) for a job with a fatal exception when that is
 * larger. -v says on stderr why each job that did not exit 0 ended (-vv: each
 * job), and with several jobs when it starts and ends waiting.
 */
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import type { JobRecord } from '../../jobspec';
import type { CommandSpec } from '../../options';
import { janssonReal } from '../../eventlog/reals';

export class JobStatusCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'status'],
    grammar: 'getopt',
    prog: 'flux-job status',
    summary: 'Wait for job(s) to complete and exit with largest exit code',
    docLine: true,
    usage: '[OPTIONS] id [id...]',
    options: [
      {
        name: 'exception-exit-code',
        short: 'e',
        arg: 'N',
        default: '1',
        description: 'Set the default exit code for any jobs that terminate solely due to an exception (e.g. canceled jobs or jobs rejected by the scheduler) to N [default=1]',
      },
      { name: 'json', short: 'j', description: 'Dump job result information gleaned from eventlog to stdout' },
      { name: 'verbose', short: 'v', description: 'Increase verbosity of output' },
    ],
    operands: [{ name: 'id', nargs: '+' }],
  };

  private get exc(): string {
    return this.args.str('exception-exit-code', '1');
  }
  private get json(): boolean {
    return this.args.has('json');
  }
  private get verbose(): number {
    return this.args.count('verbose');
  }
  private get ids(): string[] {
    return this.args.operands;
  }

  async run(): Promise<number> {
    const excCode = Number(this.exc);
    if (!/^\d+$/.test(this.exc)) this.fail(`invalid exception exit code '${this.exc}'`);
    const parsed: Array<[string, number]> = [];
    for (const typed of this.ids) {
      const id = this.jobId(typed);
      parsed.push([typed, id]);
    }
    const h = await this.connect();
    const say = (line: string) => process.stderr.write(`flux-job: ${line}\n`);
    if (this.verbose > 0 && parsed.length > 1) say(`fetching status for ${parsed.length} jobs`);
    const jobs: JobRecord[] = [];
    for (const [typed, id] of parsed) {
      try {
        jobs.push(await h.rpc<JobRecord>('job-manager.wait-inactive', { id }));
      } catch (e) {
        if ((e as FluxError).errno === 2) this.fail(`${typed}: No such job`);
        throw e;
      }
    }
    if (this.verbose > 0 && parsed.length > 1) say('all done.');
    // -j: each job's result object, made from its eventlog as Flux's flux_job_result() makes it
    const results: string[] = [];
    if (this.json) {
      for (const [typed, id] of parsed) {
        const dir = await this.jobDir(h, id, typed, `${typed}: No such job`);
        const log = (await h.rpc<{ value: unknown }>('kvs.get', { key: `${dir}.eventlog` })).value;
        results.push(jobResultJson(id, typeof log === 'string' ? log : ''));
      }
    }
    let rc = 0;
    jobs.forEach((j, i) => {
      const typed = parsed[i]![0];
      const status = j.waitstatus ?? -1;
      const signaled = status >= 0 && (status & 0x7f) !== 0;
      const code = status < 0 ? 0 : signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
      const fatal = j.exception_occurred === true && (j.exception_severity ?? 0) === 0;
      rc = Math.max(rc, code, fatal ? excCode : 0);
      if (this.json) process.stdout.write(results[i] + '\n');
      if (this.verbose === 0) return;
      if (signaled) say(`${typed}: job shell died by signal ${status & 0x7f}`);
      else if (this.verbose > 1 || code !== 0) say(fatal ? `${typed}: exception type=${j.exception_type ?? ''}` : `${typed}: exited with exit code ${code}`);
    });
    return rc;
  }
}

/**
 * A job's result object as Flux's flux_job_result() builds it from the
 * eventlog and prints it (jansson, compact): `id`, `exception_occurred`, then
 * in the order the events add them `t_submit` (submit), `t_run` (alloc),
 * `t_cleanup` and `waitstatus` (finish), `exception_type`, `exception_note`
 * and `exception_severity` (the first exception, replaced by a later one
 * unless the one kept is of a higher severity, a lower non-zero number), and
 * last `result` (1 completed, 2 failed, 4 canceled, 8 timeout). Times are
 * reals as jansson prints them (`%.17g`).
 */
export function jobResultJson(id: number, eventlog: string): string {
  const fields = new Map<string, string>([
    ['id', String(id)],
    ['exception_occurred', 'false'],
  ]);
  let tRun = -1;
  let status = -1;
  let excType: string | undefined;
  let severity = -1;
  for (const line of eventlog.split('\n')) {
    if (line.trim() === '') continue;
    const e = JSON.parse(line) as { timestamp: number; name: string; context?: Record<string, unknown> };
    const c = e.context ?? {};
    if (e.name === 'submit') fields.set('t_submit', janssonReal(e.timestamp));
    else if (e.name === 'alloc') {
      fields.set('t_run', janssonReal(e.timestamp));
      tRun = e.timestamp;
    } else if (e.name === 'finish') {
      fields.set('t_cleanup', janssonReal(e.timestamp));
      status = typeof c['status'] === 'number' ? c['status'] : -1;
      fields.set('waitstatus', JSON.stringify(c['status']));
    } else if (e.name === 'exception') {
      const sev = typeof c['severity'] === 'number' ? c['severity'] : 0;
      if (excType !== undefined && severity > 0 && severity < sev) continue;
      excType = String(c['type']);
      severity = sev;
      fields.set('exception_occurred', 'true');
      fields.set('exception_type', JSON.stringify(c['type']));
      fields.set('exception_note', JSON.stringify(c['note']));
      fields.set('exception_severity', JSON.stringify(c['severity']));
    }
  }
  let result = 2;
  if (tRun > 0 && status === 0) result = 1;
  else if (excType === 'cancel') result = 4;
  else if (excType === 'timeout') result = 8;
  fields.set('result', String(result));
  return `{${[...fields].map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}
