/** flux jobs: list jobs (default: your pending and running jobs) in Flux's formats. */
import { colorWanted } from '../color-when';
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { OutputFormat } from '../../lib/formats/output-format';
import { parseSince, SinceError } from '../watch/since';
import { countJobs, statsLine } from '../jobspec/job-counts';
import { hostlist, idset } from '../../lib/formats';
import { STATES, parseFilter, parseIdArg, type JobRecord } from '../jobspec/job-info';
import { HEADINGS, JOB_FORMATS, rewriteConversions, rowOf, username } from '../jobspec/jobs-fields';
import { jobDict } from '../jobspec/job-dict';
import { pyJson } from '../jobspec/pyjson';
import type { Client } from '../api/client';
import { instanceExtras, jobTrees, listChildren } from '../uri/children';
import { usesInstanceFields } from '../jobspec/instance-fields';
import { JobStates } from '../../lib/protocol/job-states';
import { passwdUid } from '../users';

export class JobsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['jobs'],
    grammar: 'argparse',
    prog: 'flux-jobs',
    summary: 'List jobs submitted to Flux',
    // in flux-jobs' order (its --help lists them so)
    options: [
      { name: 'all', short: 'a', description: 'List jobs in all states, including inactive' },
      { name: 'all-users', short: 'A', description: 'List jobs of all users' },
      { name: 'count', short: 'c', arg: 'N', default: '1000', description: 'Limit output to N jobs (default 1000, 0 for all)' },
      { name: 'filter', short: 'f', arg: 'STATE|RESULT', description: 'List jobs with specific job state or result' },
      { name: 'since', arg: 'WHEN', description: 'Include inactive jobs that have become inactive since WHEN (implies -a). WHEN is -FSD (before now), a phrase (yesterday, last monday 6pm, 2 hours ago) or a date and time' },
      { name: 'no-header', short: 'n', description: 'Suppress printing of header line' },
      { name: 'user', short: 'u', arg: '[USERNAME|UID]', description: 'Limit output to specific username or userid (Specify "all" for all users)' },
      { name: 'name', arg: 'JOB-NAME', description: 'Limit output to only jobs with a specific name' },
      { name: 'queue', short: 'q', arg: 'QUEUE,...', description: 'Limit output to specific queue or queues' },
      { name: 'include', short: 'i', arg: 'HOSTS|RANKS', description: 'Limit output to jobs that were allocated to the specified HOSTS or RANKS provided as a hostlist or idset.' },
      { name: 'format', short: 'o', arg: 'FORMAT', description: "Specify output format using Python's string format syntax or a defined format by name" },
      { name: 'sort', arg: 'KEY,...', description: 'Sort jobs by KEY (a field name, - for descending order)' },
      { name: 'width', short: 'w', arg: 'N', optionalArg: true, description: 'Truncate lines to N characters (the last one a +); without N, or N=0, the terminal width' },
      { name: 'json', description: 'Emit data for selected jobs in JSON format' },
      { name: 'color', arg: 'WHEN', optionalArg: true, description: "Colorize output; WHEN can be 'never', 'always', or 'auto' (default)" },
      { name: 'recursive', short: 'R', description: 'List jobs recursively' },
      { name: 'level', short: 'L', arg: 'N', description: 'With --recursive, stop recursing at level N' },
      { name: 'recurse-all', description: 'With --recursive, recurse into all jobs, not just jobs owned by the current user' },
      { name: 'threads', arg: 'N', description: 'Set max number of worker threads for recursion (default 4)' },
      { name: 'stats', description: 'Print job statistics before header' },
      { name: 'stats-only', description: 'Print job statistics only and exit. Exits with non-zero exit code with no active jobs.' },
      // not in flux-jobs 0.88: kept for scripts written against flux-ts
      { name: 'verbose', short: 'v', hidden: true, description: 'not supported by flux-ts (refused)' },
    ],
    operands: [{ name: 'JOBID', nargs: '*', description: 'Limit output to specific Job IDs' }],
  };

  /** --since=WHEN (cli/watch/since.ts): a moment in the past */
  private sinceTime(v: string): number {
    try {
      return parseSince(v);
    } catch (e) {
      if (e instanceof SinceError) this.fail(e.message);
      throw e;
    }
  }

  private includeFilter(arg: string): (j: JobRecord) => boolean {
    const f = includeTest(arg);
    if (!f) this.fail(`-i/--include: invalid host or rank list: ${arg}`);
    return f;
  }

  async run(): Promise<number> {
    const p = this.args;
    const ids: Array<{ typed: string; id: number }> = [];
    for (const a of p.operands) {
      const id = parseIdArg(a);
      if (id === undefined) this.usageError(`argument JOBID: invalid JobID value: '${a}'`);
      ids.push({ typed: a, id });
    }
    if (p.has('verbose')) this.fail('--verbose is not supported by flux-ts');
    const include = p.has('include') ? this.includeFilter(p.str('include')!) : undefined;
    const json = p.has('json');
    if (json && (p.has('stats') || p.has('stats-only'))) this.fail('--json incompatible with --stats or --stats-only');
    // states
    let states = STATES['active']!;
    let results = 0;
    const filter = p.str('filter');
    if (p.has('all') || p.has('since')) states = STATES['active']! | STATES['inactive']!;
    if (filter !== undefined) {
      if (p.has('all')) process.stderr.write('flux-jobs: WARNING: Both -a and --filter specified, ignoring -a\n');
      const parsed = parseFilter(filter);
      if ('bad' in parsed) this.fail(`Invalid filter specified: ${parsed.bad}`);
      ({ states, results } = parsed);
    }
    const since = p.has('since') ? this.sinceTime(p.str('since')!) : undefined;
    let userid = os.userInfo().uid;
    const user = p.str('user');
    if (p.has('all-users') || user === 'all') userid = -1;
    else if (user !== undefined) {
      if (/^\d+$/.test(user)) userid = Number(user);
      else userid = passwdUid(user) ?? this.fail(`Invalid user ${user} specified`);
    }
    let count = 1000;
    const c = p.str('count');
    if (c !== undefined) {
      if (!/^\d+$/.test(c)) this.usageError(`argument -c/--count: invalid int value: '${c}'`);
      count = Number(c);
    }
    // format
    let fmtText = this.formatOption(p.str('format'), JOB_FORMATS);
    let sortKeys: string[] = [];
    const sm = /^sort:(\S+)\s/.exec(fmtText);
    if (sm) {
      sortKeys = sm[1]!.split(',');
      fmtText = fmtText.slice(sm[0].length);
    }
    const sortOpt = p.str('sort');
    if (sortOpt) sortKeys = sortOpt.split(',');
    // a key is a field name: an unknown one is refused, never sorted on silently
    const badKey = sortKeys.find((k) => !(k.replace(/^-/, '') in HEADINGS));
    if (badKey !== undefined) this.fail(`Invalid sort key: ${badKey.replace(/^-/, '')}`);
    let fmt: OutputFormat | undefined;
    if (!json) {
      try {
        const { format, headings } = rewriteConversions(fmtText);
        fmt = new OutputFormat(format, headings);
      } catch (e) {
        this.fail(`Error in user format: ${(e as Error).message}`);
      }
    }
    // -R: jobs of the instances among them too (-L: that many levels down; --recurse-all: other users' too)
    const recursive = p.has('recursive') || p.has('recurse-all') || p.has('level');
    const levels = intOpt(p.str('level'), '-L/--level', Infinity, (m) => this.usageError(m));
    const threads = intOpt(p.str('threads'), '--threads', 4, (m) => this.usageError(m));
    const width = widthOpt(p.get('width')?.value, (m) => this.usageError(m));
    const color = colorWanted(p.get('color'), (m) => this.usageError(m));
    // -c N (1000 by default) left some of this instance's jobs out: said after the list, as Flux does
    let truncated = false;
    const truncationNote = (): void => {
      if (truncated && !p.has('no-header')) {
        process.stderr.write(`warning: output truncated at ${count} jobs.\nUse --count to increase returned results or use filters to alter results.\n`);
      }
    };
    const fetch = async (h: Client, top: boolean): Promise<JobRecord[] | undefined> => {
      let jobs: JobRecord[];
      // the ids name jobs of this instance: a child instance lists its jobs by the filters
      if (ids.length > 0 && top) {
        // every option that selects jobs (Flux's filtering options) is ignored with a list of ids
        if (top && ['all', 'all-users', 'count', 'filter', 'since', 'user', 'name', 'queue', 'include'].some((o) => p.has(o))) {
          process.stderr.write('flux-jobs: WARNING: Filtering options ignored with jobid list\n');
        }
        const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids: ids.map((x) => x.id) });
        const found = new Map(r.jobs.map((j) => [j.id, j]));
        jobs = [];
        let missing = 0;
        for (const x of ids) {
          const j = found.get(x.id);
          if (j) jobs.push(j);
          else {
            missing++;
            if (top) process.stderr.write(`JobID ${x.typed} unknown\n`);
          }
        }
        if (missing === ids.length) {
          if (!json && fmt && !p.has('no-header')) process.stdout.write(fmt.render([], false).join('\n') + '\n');
          return undefined;
        }
      } else {
        const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid });
        jobs = r.jobs;
        if (results) jobs = jobs.filter((j) => j.state !== 64 || (j.result !== undefined && (j.result & results) !== 0));
        if (results && !(states & ~STATES['inactive']!)) jobs = jobs.filter((j) => j.state === 64);
        if (since !== undefined) jobs = jobs.filter((j) => j.state !== 64 || (j.t_inactive ?? 0) > since);
        const name = p.str('name');
        if (name !== undefined) jobs = jobs.filter((j) => j.name === name);
        const q = p.str('queue');
        if (q !== undefined) jobs = jobs.filter((j) => (q.split(',') as Array<string | undefined>).includes(j.queue));
        if (include) jobs = jobs.filter(include);
        if (count > 0 && jobs.length > count) {
          jobs = jobs.slice(0, count);
          if (top) truncated = true;
        }
      }
      return jobs;
    };
    const h = await this.connect();
    const jobs = await fetch(h, true);
    if (jobs === undefined) return 1;
    /** an instance's job statistics (-q QUEUE,...: those queues' only, summed, as flux job stats counts each queue) */
    const statsOf = async (c: Client) => {
      let all = (await c.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states: JobStates.ALL, userid: -1 })).jobs;
      let purged = await c
        .rpc<{ inactive_purged?: number }>('job-manager.stats-get', {})
        .then((r) => r.inactive_purged ?? 0, () => 0);
      const q = p.str('queue');
      if (q !== undefined) {
        const queues: Array<string | undefined> = q.split(',');
        all = all.filter((j) => queues.includes(j.queue));
        purged = 0;
      }
      return countJobs(all, purged);
    };
    if (p.has('stats') || p.has('stats-only')) {
      const counts = await statsOf(h);
      process.stdout.write(statsLine(counts) + '\n');
      if (p.has('stats-only')) return counts.job_states['total']! > counts.job_states['inactive']! ? 0 : 1;
    }
    if (json) {
      // as Flux's: JobInfo.to_dict() of each job, json.dumps() separators; -R nests each instance's jobs under it
      const now = Date.now() / 1000;
      const dict = (j: JobRecord) => jobDict(j, username(j.userid), now);
      const out = recursive
        ? await jobTrees(h, jobs, { levels, all: p.has('recurse-all'), threads, prog: 'flux-jobs', dict, list: async (child) => (await fetch(child, false)) ?? [] })
        : jobs.map(dict);
      process.stdout.write(pyJson(ids.length === 1 && out.length === 1 ? out[0] : { jobs: out }) + '\n');
      truncationNote();
      return 0;
    }
    const render = (jobs: JobRecord[], noHeader: boolean, extras: ReadonlyMap<number, Record<string, unknown>>): string[] => {
      const fields = fmt!.fields();
      let order = jobs;
      let rows = jobs.map((j) => rowOf(j, fields, Date.now() / 1000, extras.get(j.id)));
      if (sortKeys.length > 0) {
        const keyRows = jobs.map((j, i) => ({ j, r: rows[i]!, k: rowOf(j, sortKeys.map((k) => k.replace(/^-/, '')), Date.now() / 1000) }));
        keyRows.sort((a, b) => {
          for (const k of sortKeys) {
            const rev = k.startsWith('-');
            const name = rev ? k.slice(1) : k;
            const c = cmp(a.k[name], b.k[name]);
            if (c !== 0) return rev ? -c : c;
          }
          return 0;
        });
        rows = keyRows.map((x) => x.r);
        order = keyRows.map((x) => x.j);
      }
      let lines = fmt!.render(rows, noHeader);
      if (color) {
        const skip = lines.length - order.length;
        lines = lines.map((l, i) => (i < skip ? l : colorLine(l, order[i - skip]!)));
      }
      if (width !== undefined) {
        const n = width;
        lines = lines.map((l) => ([...l].length > n ? [...l].slice(0, n - 1).join('') + '+' : l));
      }
      return lines;
    };
    // instance.* fields: asked of the instances among the jobs
    const extrasOf = (c: Client, js: JobRecord[]) => (usesInstanceFields(fmt!.fields()) ? instanceExtras(c, js, threads) : Promise.resolve(new Map()));
    const lines = render(jobs, p.has('no-header'), await extrasOf(h, jobs));
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    if (recursive) {
      await listChildren(h, jobs, {
        levels,
        all: p.has('recurse-all'),
        threads,
        prog: 'flux-jobs',
        list: async (child) => {
          const js = (await fetch(child, false)) ?? [];
          // --stats: each instance's own statistics under its heading, as Flux lists them
          const stats = p.has('stats') ? [statsLine(await statsOf(child))] : [];
          return { jobs: js, lines: [...stats, ...render(js, true, await extrasOf(child, js))] };
        },
      });
    }
    truncationNote();
    return 0;
  }
}

/**
 * An inactive job's row in the color of its result: completed green, failed or
 * timed out red, canceled grey; an active job that is a Flux instance (it has
 * posted its uri: flux batch, flux alloc) blue, as Flux colors them.
 */
function colorLine(line: string, j: JobRecord): string {
  let c: string;
  if (j.state === 64) c = j.result === 1 ? '\u001b[01;32m' : j.result === 4 ? '\u001b[37m' : '\u001b[01;31m';
  else if (typeof (j.annotations?.['user'] as Record<string, unknown> | undefined)?.['uri'] === 'string') c = '\u001b[01;34m';
  else return line;
  return `${c}${line}\u001b[0;0m`;
}

/**
 * -w [N]: the width lines are cut to; without N, or with 0, the terminal's
 * (as Python's shutil.get_terminal_size: $COLUMNS, then stdout's, then 80).
 */
function widthOpt(v: string | undefined, usage: (msg: string) => never): number | undefined {
  if (v === undefined) return undefined;
  if (v !== '' && !/^\d+$/.test(v)) usage(`argument -w/--width: invalid int value: '${v}'`);
  const n = v === '' ? 0 : Number(v);
  if (n > 0) return n;
  const cols = Number(process.env['COLUMNS']);
  if (Number.isInteger(cols) && cols > 0) return cols;
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
}

/** a whole number option (its default when absent); a bad one is a usage error */
function intOpt(v: string | undefined, name: string, dflt: number, usage: (msg: string) => never): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) usage(`argument ${name}: invalid int value: '${v}'`);
  return Number(v);
}

/**
 * -i/--include: a job passes when its ranks (an idset argument) or its nodes
 * (a hostlist argument) meet the given ones; a job without resources never does.
 */
function includeTest(arg: string): ((j: JobRecord) => boolean) | undefined {
  let ranks: Set<number> | undefined;
  try {
    ranks = idset.decodeSet(arg);
  } catch {
    ranks = undefined;
  }
  if (ranks) {
    const want = ranks;
    return (j) => {
      if (!j.ranks) return false;
      try {
        return idset.decode(j.ranks).some((r) => want.has(r));
      } catch {
        return false;
      }
    };
  }
  let hosts: Set<string>;
  try {
    hosts = new Set(hostlist.expand(arg));
  } catch {
    return undefined;
  }
  return (j) => {
    if (!j.nodelist) return false;
    try {
      return hostlist.expand(j.nodelist).some((h) => hosts.has(h));
    } catch {
      return false;
    }
  };
}

function cmp(a: unknown, b: unknown): number {
  const empty = (v: unknown) => v === undefined || v === '' || v === null;
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? -1 : 1;
  const na = typeof a === 'number' ? a : Number(a);
  const nb = typeof b === 'number' ? b : Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
