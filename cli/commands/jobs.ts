/** flux jobs: list jobs (default: your pending and running jobs) in Flux's formats. */
import { Command, Option } from 'clipanion';
import * as os from 'node:os';
import { FluxCommand, CommandExit } from '../base-command';
import { getoptArgparse, last, type OptSpec } from '../getopt';
import { OutputFormat } from '../../kernel/api/formats/output-format';
import { RESULTS, STATES, parseIdArg, type JobRecord } from '../jobspec/job-info';
import { NAMED_FORMATS, rewriteConversions, rowOf } from '../jobspec/jobs-fields';

const USAGE = 'usage: flux-jobs [-h] [-a] [-A] [-n] [-u USER] [-f STATE|RESULT] [-o FORMAT] [-c N] [--json] [--stats] [--stats-only] [JOBID ...]';

const SPECS: OptSpec[] = [
  { long: 'all', short: 'a' },
  { long: 'all-users', short: 'A' },
  { long: 'no-header', short: 'n' },
  { long: 'user', short: 'u', arg: true },
  { long: 'filter', short: 'f', arg: true },
  { long: 'format', short: 'o', arg: true },
  { long: 'count', short: 'c', arg: true },
  { long: 'name', arg: true },
  { long: 'queue', short: 'q', arg: true },
  { long: 'sort', arg: true },
  { long: 'json' },
  { long: 'stats' },
  { long: 'stats-only' },
  { long: 'since', arg: true },
  { long: 'width', short: 'w', arg: true },
  { long: 'color', short: 'L', arg: true },
  { long: 'recursive', short: 'R' },
  { long: 'verbose', short: 'v' },
];

export class JobsCommand extends FluxCommand {
  static override paths = [['jobs']];
  static override prog = 'flux-jobs';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'List jobs submitted to Flux' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const p = getoptArgparse(this.args, SPECS, false, USAGE, 'flux-jobs');
    const ids: Array<{ typed: string; id: number }> = [];
    for (const a of p.positionals) {
      const id = parseIdArg(a);
      if (id === undefined) throw new CommandExit(2, `${USAGE}\nflux-jobs: error: argument JOBID: invalid JobID value: '${a}'`);
      ids.push({ typed: a, id });
    }
    const json = p.opts.has('json');
    if (json && (p.opts.has('stats') || p.opts.has('stats-only'))) this.fail('--json incompatible with --stats or --stats-only');
    // states
    let states = STATES['active']!;
    let results = 0;
    const filter = last(p, 'filter');
    if (p.opts.has('all') || p.opts.has('since')) states = STATES['active']! | STATES['inactive']!;
    if (filter !== undefined) {
      if (p.opts.has('all')) process.stderr.write('flux-jobs: WARNING: Both -a and --filter specified, ignoring -a\n');
      states = 0;
      for (const f of filter.split(',')) {
        const k = f.trim().toLowerCase();
        if (k in STATES) states |= STATES[k]!;
        else if (k in RESULTS) results |= RESULTS[k]!;
        else this.fail(`Invalid filter specified: ${f}`);
      }
      if (results) states |= STATES['inactive']!;
    }
    let userid = os.userInfo().uid;
    const user = last(p, 'user');
    if (p.opts.has('all-users') || user === 'all') userid = -1;
    else if (user !== undefined) {
      if (/^\d+$/.test(user)) userid = Number(user);
      else if (user === os.userInfo().username) userid = os.userInfo().uid;
      else this.fail(`Invalid user ${user} specified`);
    }
    let count = 1000;
    const c = last(p, 'count');
    if (c !== undefined) {
      if (!/^\d+$/.test(c)) throw new CommandExit(2, `${USAGE}\nflux-jobs: error: argument -c/--count: invalid int value: '${c}'`);
      count = Number(c);
    }
    // format
    let fmtText = last(p, 'format') ?? process.env['FLUX_JOBS_FORMAT_DEFAULT'] ?? 'default';
    if (fmtText in NAMED_FORMATS) fmtText = NAMED_FORMATS[fmtText]!;
    let sortKeys: string[] = [];
    const sm = /^sort:(\S+)\s/.exec(fmtText);
    if (sm) {
      sortKeys = sm[1]!.split(',');
      fmtText = fmtText.slice(sm[0].length);
    }
    const sortOpt = last(p, 'sort');
    if (sortOpt) sortKeys = sortOpt.split(',');
    let fmt: OutputFormat | undefined;
    if (!json) {
      try {
        const { format, headings } = rewriteConversions(fmtText);
        fmt = new OutputFormat(format, headings);
      } catch (e) {
        this.fail(`Error in user format: ${(e as Error).message}`);
      }
    }
    const h = await this.connect();
    let jobs: JobRecord[];
    if (ids.length > 0) {
      if (filter !== undefined || p.opts.has('all') || user !== undefined) {
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
          process.stderr.write(`JobID ${x.typed} unknown\n`);
        }
      }
      if (missing === ids.length) {
        if (!json && fmt && !p.opts.has('no-header')) process.stdout.write(fmt.render([], false).join('\n') + '\n');
        return 1;
      }
    } else {
      const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid });
      jobs = r.jobs;
      if (results) jobs = jobs.filter((j) => j.state !== 64 || (j.result !== undefined && (j.result & results) !== 0));
      if (results && !(states & ~STATES['inactive']!)) jobs = jobs.filter((j) => j.state === 64);
      const name = last(p, 'name');
      if (name !== undefined) jobs = jobs.filter((j) => j.name === name);
      const q = last(p, 'queue');
      if (q !== undefined) jobs = jobs.filter((j) => (q.split(',') as Array<string | undefined>).includes(j.queue));
      if (count > 0 && jobs.length > count) jobs = jobs.slice(0, count);
    }
    const nowSec = Date.now() / 1000;
    if (p.opts.has('stats') || p.opts.has('stats-only')) {
      const all = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states: 126, userid: -1 })).jobs;
      const running = all.filter((j) => j.state & 48 && j.state !== 64).length;
      const pending = all.filter((j) => j.state & 14).length;
      const completed = all.filter((j) => j.state === 64 && j.result === 1).length;
      const failed = all.filter((j) => j.state === 64 && j.result !== 1).length;
      const purged = await h
        .rpc<{ inactive_purged?: number }>('job-manager.stats-get', {})
        .then((r) => r.inactive_purged ?? 0, () => 0);
      process.stdout.write(`${running} running, ${completed} completed, ${failed} failed, ${pending} pending, ${purged} inactive purged\n`);
      if (p.opts.has('stats-only')) return running + pending > 0 ? 0 : 1;
    }
    if (json) {
      const out = jobs.map((j) => ({ ...j, id: j.id }));
      process.stdout.write(JSON.stringify(ids.length === 1 && out.length === 1 ? out[0] : { jobs: out }) + '\n');
      return 0;
    }
    const fields = fmt!.fields();
    let rows = jobs.map((j) => rowOf(j, fields, nowSec));
    if (sortKeys.length > 0) {
      const keyRows = jobs.map((j, i) => ({ r: rows[i]!, k: rowOf(j, sortKeys.map((k) => k.replace(/^-/, '')), nowSec) }));
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
    }
    let lines = fmt!.render(rows, p.opts.has('no-header'));
    const w = last(p, 'width');
    if (w !== undefined && /^\d+$/.test(w)) {
      const n = Number(w);
      lines = lines.map((l) => ([...l].length > n ? [...l].slice(0, n - 1).join('') + '+' : l));
    }
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
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
