/**
 * flux watch [-a|-A|-f STATE|--since WHEN] [-c N] [--progress [--jps]] [-l] [-v] [JOBID...]:
 * copy the output of the selected jobs (active or already inactive) to the
 * terminal, follow them to their end, and exit with the largest exit code.
 */
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { exitCode, parseFilter, parseIdArg, STATES, type JobRecord } from '../jobspec/job-info';
import { parseSince, SinceError } from '../watch/since';
import { followJob } from '../watch/follow';
import { ProgressBar, type Counts } from '../watch/progress';

export class WatchCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['watch'],
    grammar: 'argparse',
    prog: 'flux-watch',
    summary: 'Monitor one or more Flux jobs',
    options: [
      { name: 'active', short: 'a', description: 'Watch all active jobs for current user' },
      { name: 'all', short: 'A', description: 'Watch all jobs for current user in all states including inactive' },
      { name: 'count', short: 'c', arg: 'N', description: 'Limit to N jobs (default 1000)' },
      { name: 'filter', short: 'f', arg: 'STATE|RESULT', description: 'Watch jobs with specific job state or result' },
      { name: 'since', arg: 'WHEN', description: 'Include only jobs that have been inactive since WHEN. (implies -a if no other --filter option is specified)' },
      { name: 'progress', description: 'Show progress bar' },
      { name: 'jps', description: 'Display jobs/s instead of elapsed time' },
      { name: 'label-io', short: 'l', description: 'label lines of output with task id' },
      { name: 'verbose', short: 'v', description: 'Increase verbosity' },
    ],
    operands: [{ name: 'JOBID', nargs: '*', description: 'Watch specific jobids' }],
  };

  private warn(msg: string): void {
    process.stderr.write(`${this.prog}: WARNING: ${msg}\n`);
  }

  private info(msg: string): void {
    process.stderr.write(`${this.prog}: INFO: ${msg}\n`);
  }

  async run(): Promise<number> {
    const p = this.args;
    const ids: number[] = [];
    for (const w of p.operands) {
      const id = parseIdArg(w);
      if (id === undefined) this.usageError(`argument JOBID: invalid JobID value: '${w}'`);
      ids.push(id);
    }
    const countText = p.str('count', '1000');
    if (!/^\d+$/.test(countText)) this.usageError(`argument -c/--count: invalid int value: '${countText}'`);
    const count = Number(countText);
    const filterText = p.values('filter');
    const filtered = p.has('active') || p.has('all') || p.has('since') || filterText.length > 0 || p.has('count');
    if (ids.length > 0 && filtered) this.warn('Filtering options ignored with jobid list');

    let states = 0;
    let results = 0;
    for (const f of filterText) {
      const r = parseFilter(f);
      if ('bad' in r) this.usageError(`Invalid filter specified: ${r.bad}`);
      states |= r.states;
      results |= r.results;
    }
    let since = 0;
    if (p.has('since')) {
      try {
        since = parseSince(p.str('since', ''));
      } catch (e) {
        if (e instanceof SinceError) this.fail(e.message, 2);
        throw e;
      }
      if (filterText.length === 0) states |= STATES['active']! | STATES['inactive']!;
    }
    if (p.has('active')) states |= STATES['active']!;
    if (p.has('all')) states |= STATES['active']! | STATES['inactive']!;
    if (states === 0 && ids.length === 0) {
      process.stderr.write(`${this.prog}: ERROR: At least one job selection option is required\nTry 'flux watch --help' for more information.\n`);
      return 1;
    }

    const h = await this.connect();
    let jobs: JobRecord[];
    if (ids.length > 0) {
      const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids });
      const found = new Map(r.jobs.map((j) => [j.id, j]));
      jobs = [];
      for (const id of ids) {
        const j = found.get(id);
        if (j) jobs.push(j);
        else process.stderr.write(`${this.prog}: ERROR: JobID ${p.operands[ids.indexOf(id)]} unknown\n`);
      }
    } else {
      const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid: os.userInfo().uid });
      jobs = r.jobs;
      if (results) jobs = jobs.filter((j) => j.state !== STATES['inactive'] || (j.result !== undefined && (j.result & results) !== 0));
      if (since > 0) jobs = jobs.filter((j) => j.state !== STATES['inactive'] || (j.t_inactive ?? 0) > since);
      if (count > 0) jobs = jobs.slice(0, count);
      jobs.reverse(); // oldest first
    }
    if (jobs.length === 0) {
      this.info('No matching jobs');
      return ids.length > 0 ? 1 : 0;
    }
    const verbose = p.count('verbose');
    if (verbose > 0) this.info(`Watching ${jobs.length} jobs`);

    if (p.has('jps') && !p.has('progress')) this.fail('--jps requires --progress');
    let progress = p.has('progress');
    if (progress && !process.stdout.isTTY) {
      this.warn('stdout is not a tty. Ignoring --progress option');
      progress = false;
    }

    const state = new Map<number, 'pending' | 'running' | 'complete' | 'failed'>();
    for (const j of jobs) {
      state.set(j.id, j.state === STATES['inactive'] ? 'pending' : j.state & STATES['running']! ? 'running' : 'pending');
    }
    const counts = (): Counts => {
      const c: Counts = { pending: 0, running: 0, complete: 0, failed: 0 };
      for (const s of state.values()) c[s]++;
      return c;
    };
    const start = Math.min(...jobs.map((j) => j.t_submit));
    // the -v/-vv lines' clock, as Flux's: from the earliest submit, or the instance start with -A, or WHEN if later
    let t0 = start;
    if (verbose > 0 && (since > 0 || p.has('all'))) {
      const boot = Number(await h.getattr('broker.starttime'));
      t0 = Math.min(t0, since > 0 ? Math.max(since, boot) : boot);
    }
    const clock = { value: t0 };
    const bar = progress ? new ProgressBar(process.stdout, counts, jobs.length, since > 0 ? Math.max(since, start) : start, p.has('jps')) : undefined;
    const write = (stream: 'stdout' | 'stderr', text: string | Buffer): void => {
      const s = stream === 'stderr' ? process.stderr : process.stdout;
      if (bar) bar.write(s, text);
      else s.write(text);
    };
    const note = (line: string): void => write('stderr', line + '\n');
    bar?.begin();
    let rc = 0;
    try {
      const codes = await Promise.all(
        jobs.map(async (j) => {
          const rec = await followJob(h, j.id, {
            labelIo: p.has('label-io'),
            write,
            note,
            events: verbose > 1,
            status: verbose > 0,
            t0: clock,
            onState: (id, what) => {
              if (what === 'running') state.set(id, 'running');
            },
          });
          const code = exitCode(rec);
          state.set(j.id, rec.success ? 'complete' : 'failed');
          return code;
        }),
      );
      for (const c of codes) rc = Math.max(rc, c);
    } finally {
      bar?.end();
    }
    return rc;
  }
}
