/**
 * flux pstree: the tree of the user's jobs by name, descending into the jobs
 * that are Flux instances (flux-pstree(1), commands.md §13). Identical leaf
 * siblings merge as `N*[label]`; details (-x, -d, --detail-format) print
 * columns before the tree; the root `.` is the current instance.
 */
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import type { Client } from '../api/client';
import { Client as FluxClient } from '../api/client';
import { OutputFormat } from '../../lib/formats/output-format';
import { STATES, parseFilter, parseIdArg, type JobRecord } from '../jobspec/job-info';
import { rewriteConversions, rowOf } from '../jobspec/jobs-fields';
import { INSTANCE_HEADINGS, instanceFields, usesInstanceFields } from '../jobspec/instance-fields';
import { instanceUri, usable } from '../uri/resolve';
import { rootJob } from '../jobspec/pstree-root';
import type { CommandSpec } from '../options';

const DETAILS: Record<string, string> = {
  default: '{id.f58:>12} {username:<8.8} {status_abbrev:>2.2} {ntasks:>6h} {nnodes:>6h} {runtime!F:>8h}',
  resources:
    '{id.f58:>12} {instance.resources.all.nnodes:>5h} {instance.resources.allocated.nnodes:>5h} {instance.resources.all.ncores:>5h} {instance.resources.allocated.ncores:>5h} {instance.resources.all.ngpus:>5h} {instance.resources.allocated.ngpus:>5h}',
  progress:
    '{id.f58:>12} {ntasks:>6h} {instance.stats.total:>6h} {instance.progress!P:>5h} {instance.utilization!P:>5h} {instance.gpu_utilization!P:>5h} {runtime!H:>10h}',
  stats:
    '{id.f58:>12} {instance.stats.pending:>5h} {instance.stats.running:>5h} {instance.stats.successful:>5h} {instance.stats.failed:>5h} {instance.stats.total:>6h}',
};

const RUN = 16;

interface TreeNode {
  job: JobRecord;
  /** its instance.* fields, when it is an instance we opened */
  info?: Record<string, unknown>;
  /** the jobs of its instance (undefined: not an instance, or not descended into) */
  children?: TreeNode[];
}

interface Drawn {
  label: string;
  details: string;
}

export class PstreeCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['pstree'],
    grammar: 'argparse',
    prog: 'flux-pstree',
    summary: 'Display a tree of running jobs by name',
    options: [
      { name: 'all', short: 'a', description: 'Include jobs in all states, including inactive jobs. This is shorthand for --filter=pending,running,inactive' },
      { name: 'count', short: 'c', arg: 'N', description: 'Limit to N jobs per instance (default 1000)' },
      { name: 'filter', short: 'f', arg: 'STATE|RESULT', description: 'Include jobs with specific job state or result' },
      { name: 'long', short: 'l', description: 'Do not truncate long lines to terminal width' },
      { name: 'parent-ids', short: 'p', description: 'Include jobids in parent labels' },
      { name: 'level', short: 'L', arg: 'N', description: 'Only descend N levels' },
      { name: 'extended', short: 'x', description: 'Print extended details before tree output' },
      { name: 'details', short: 'd', arg: 'NAME', description: 'Select a named extended details format (default, resources, progress, stats)' },
      { name: 'no-header', short: 'n', description: 'For extended output, do not print header row' },
      { name: 'no-combine', short: 'X', description: 'Disable combination of identical children' },
      { name: 'label', short: 'o', arg: 'FORMAT', description: 'Change label format (default "{name}")' },
      { name: 'parent-label', arg: 'FORMAT', description: 'Label tree parents with a different format than child jobs' },
      { name: 'detail-format', arg: 'FORMAT', description: 'Specify an explicit extended details format line' },
      { name: 'skip-root', arg: 'yes|no', description: 'Explicitly skip (yes) or force (no) display of the enclosing instance' },
      { name: 'compact', short: 'C', description: 'Use compact tree connectors' },
      { name: 'ascii', description: 'Use ASCII character tree connectors' },
    ],
    operands: [{ name: 'JOBID', nargs: '*', description: 'Limit output to specific Job IDs' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    if (p.has('ascii') && p.has('compact')) this.fail('Choose only one of --ascii, --compact');
    const ids: number[] = [];
    for (const a of p.operands) {
      const id = parseIdArg(a);
      if (id === undefined) this.usageError(`argument JOBID: invalid JobID value: '${a}'`);
      ids.push(id);
    }
    if (ids.length > 0 && (p.has('all') || p.has('count') || p.has('filter'))) process.stderr.write('flux-pstree: WARNING: filtering options ignored with jobid list\n');
    // which jobs: running by default, -a all, -f states and results
    let states = STATES['running']!;
    let results = 0;
    const filter = p.str('filter');
    if (p.has('all')) states = STATES['pending']! | STATES['running']! | STATES['inactive']!;
    if (filter !== undefined) {
      const parsed = parseFilter(filter);
      if ('bad' in parsed) this.fail(`Invalid filter specified: ${parsed.bad}`);
      ({ states, results } = parsed);
    }
    const count = this.whole('count', 1000);
    const levels = this.whole('level', Infinity);
    // labels and details
    const showState = p.has('all') || (filter !== undefined && states !== STATES['running']);
    const labelText = p.str('label') ?? (showState ? '{name}:{status_abbrev}' : '{name}');
    let parentText = p.str('parent-label') ?? (p.str('label') ?? '{name}');
    if (p.has('parent-ids')) parentText = `{id.f58} ${parentText}`;
    let detailText = p.str('detail-format');
    const named = p.str('details') ?? (p.has('extended') ? 'default' : undefined);
    if (detailText === undefined && named !== undefined) {
      detailText = DETAILS[named];
      if (detailText === undefined) this.fail(`Unknown --details format '${named}'`);
    }
    const label = this.format(labelText);
    const parentLabel = this.format(parentText);
    const details = detailText !== undefined ? this.format(detailText) : undefined;
    const skipArg = p.str('skip-root');
    if (skipArg !== undefined && skipArg !== 'yes' && skipArg !== 'no') this.usageError(`argument --skip-root: invalid choice: '${skipArg}' (choose from 'yes', 'no')`);
    const skipRoot = skipArg !== undefined ? skipArg === 'yes' : details !== undefined || ids.length > 0;

    const uid = os.userInfo().uid;
    const fetch = async (h: Client, top: boolean): Promise<JobRecord[]> => {
      if (top && ids.length > 0) {
        const found = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { ids })).jobs;
        // an id that names no job is a line on stderr, as Flux's JobList reports it
        ids.forEach((id, k) => {
          if (!found.some((j) => j.id === id)) process.stderr.write(`JobID ${p.operands[k]!} unknown\n`);
        });
        return found;
      }
      let jobs = (await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid: uid })).jobs;
      if (results) jobs = jobs.filter((j) => j.state !== 64 || (j.result !== undefined && (j.result & results) !== 0));
      return count > 0 ? jobs.slice(0, count) : jobs;
    };
    const build = async (h: Client, depth: number, top: boolean): Promise<TreeNode[]> => {
      const jobs = await fetch(h, top);
      return Promise.all(
        jobs.map(async (job): Promise<TreeNode> => {
          if (job.state !== RUN || depth >= levels) return { job };
          const r = await instanceUri(h, job.id);
          if (!('uri' in r)) return { job };
          let child: Client | undefined;
          try {
            child = await FluxClient.connect(usable(r.uri));
            const [info, children] = await Promise.all([instanceFields(child), build(child, depth + 1, false)]);
            return { job, info, children };
          } catch (e) {
            process.stderr.write(`flux-pstree: ${r.uri}: ${(e as Error).message}\n`);
            return { job };
          } finally {
            child?.close();
          }
        }),
      );
    };
    const h = await this.connect();
    const [roots, root] = await Promise.all([build(h, 0, true), skipRoot ? undefined : rootJob(h, usesInstanceFields([parentLabel, ...(details ? [details] : [])].flatMap((f) => f.fields())))]);

    const now = Date.now() / 1000;
    // a job that is not an instance shows blank instance.* columns (not the `h` dash)
    const blank = Object.fromEntries(Object.keys(INSTANCE_HEADINGS).map((k) => [k, ' ']));
    const render = (fmt: OutputFormat, n: TreeNode) => fmt.render([rowOf(n.job, fmt.fields(), now, { ...blank, ...n.info })], true)[0] ?? '';
    const drawn = (n: TreeNode): Drawn => ({
      label: render(n.children ? parentLabel : label, n),
      details: details ? render(details, n) : '',
    });
    const combine = !p.has('no-combine') && details === undefined;
    const [mid, last, bar, gap] = p.has('ascii') ? ['|-- ', '`-- ', '|   ', '    '] : p.has('compact') ? ['├ ', '└ ', '│ ', '  '] : ['├── ', '└── ', '│   ', '    '];
    const lines: string[] = [];
    const emit = (d: Drawn, tree: string) => lines.push(details ? `${d.details} ${tree}` : tree);
    const walk = (nodes: readonly TreeNode[], prefix: string) => {
      // identical leaves merge (in the order they first appear)
      const groups: Array<{ node: TreeNode; d: Drawn; n: number }> = [];
      for (const node of nodes) {
        const d = drawn(node);
        const same = combine && !node.children ? groups.find((g) => !g.node.children && g.d.label === d.label) : undefined;
        if (same) same.n++;
        else groups.push({ node, d, n: 1 });
      }
      groups.forEach((g, i) => {
        const end = i === groups.length - 1;
        const text = g.n > 1 ? `${g.n}*[${g.d.label}]` : g.d.label;
        emit(g.d, `${prefix}${end ? last : mid}${text}`);
        if (g.node.children) walk(g.node.children, prefix + (end ? gap : bar));
      });
    };
    if (details && !p.has('no-header')) lines.push(details.render([], false)[0]!.trimEnd());
    if (skipRoot) {
      for (const n of roots) {
        emit(drawn(n), drawn(n).label);
        if (n.children) walk(n.children, '');
      }
    } else if (root) {
      // the root is the enclosing instance, drawn with the parent label and its own details
      const top: TreeNode = { job: root.job, info: root.extra, children: roots };
      emit(drawn(top), drawn(top).label);
      walk(roots, '');
    }
    const width = p.has('long') ? Infinity : Number(process.env['COLUMNS'] ?? (process.stdout.columns || 80));
    const cut = (s: string) => ([...s].length > width ? [...s].slice(0, width - 1).join('') + '+' : s);
    // a skipped root with nothing under it prints nothing (not an empty line)
    if (lines.length > 0) process.stdout.write(lines.map(cut).join('\n') + '\n');
    return 0;
  }

  /** a whole-number option, or its default; a bad value is a usage error */
  private whole(name: string, dflt: number): number {
    const v = this.args.str(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) this.usageError(`argument ${name === 'count' ? '-c/--count' : '-L/--level'}: invalid int value: '${v}'`);
    return Number(v);
  }

  /** a label or details format; an unknown field is one line */
  private format(text: string): OutputFormat {
    try {
      const { format, headings } = rewriteConversions(text);
      return new OutputFormat(format, headings);
    } catch (e) {
      this.fail(`Error in user format: ${(e as Error).message}`);
    }
  }
}
