/** flux pstree: the tree of the user's jobs by name (commands.md §13), one level deep. */
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import { encodeF58 } from '../../kernel/api/formats';
import { fsd } from '../../kernel/api/formats';
import { statusAbbrev, type JobRecord } from '../jobspec/job-info';
import type { CommandSpec } from '../options';

interface Node {
  label: string;
  count: number;
  job: JobRecord;
}

export class PstreeCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['pstree'],
    grammar: 'argparse',
    prog: 'flux-pstree',
    summary: 'Display a tree of running jobs by name',
    options: [
      { name: 'all', short: 'a', description: 'Include jobs in all states, including inactive jobs. Shows the job state in the label.' },
      { name: 'long', short: 'l', description: 'Do not truncate long lines to the terminal width' },
      { name: 'extended', short: 'x', description: 'Print the job id, user, state and runtime of each job before its name (implies -X)' },
      { name: 'no-combine', short: 'X', description: 'Do not combine jobs of the same name and state' },
      { name: 'label', short: 'o', arg: 'FORMAT', description: 'Change the label format (default "{name}")' },
      { name: 'ascii', description: 'Use ASCII characters for the tree' },
    ],
    operands: [],
  };

  private get all(): boolean {
    return this.args.has('all');
  }
  private get noCombine(): boolean {
    return this.args.has('no-combine');
  }
  private get details(): boolean {
    return this.args.has('extended');
  }
  private get ascii(): boolean {
    return this.args.has('ascii');
  }
  private get long(): boolean {
    return this.args.has('long');
  }
  private get label(): string | undefined {
    return this.args.str('label');
  }

  async run(): Promise<number> {
    const h = await this.connect();
    const uid = process.getuid?.() ?? 0;
    const states = this.all ? 126 | 64 : 48;
    const r = await h.rpc<{ jobs: JobRecord[] }>('job-manager.list', { states, userid: uid });
    const fmt = this.label ?? (this.all ? '{name}:{status_abbrev}' : '{name}');
    const labelOf = (j: JobRecord) =>
      fmt.replace(/\{(\w+)\}/g, (all, k: string) => {
        if (k === 'status_abbrev') return statusAbbrev(j);
        if (k === 'id') return encodeF58(j.id);
        const v = (j as unknown as Record<string, unknown>)[k];
        return v === undefined ? all : String(v);
      });
    const nodes: Node[] = [];
    for (const j of r.jobs) {
      const label = labelOf(j);
      const same = this.noCombine || this.details ? undefined : nodes.find((n) => n.label === label);
      if (same) same.count++;
      else nodes.push({ label, count: 1, job: j });
    }
    const [mid, last] = this.ascii ? ['|-- ', '`-- '] : ['├── ', '└── '];
    const width = this.long ? Infinity : Number(process.env['COLUMNS'] ?? (process.stdout.columns || 80));
    const cut = (s: string) => (s.length > width ? s.slice(0, width - 1) + '+' : s);
    const lines: string[] = [];
    if (this.details) {
      lines.push(`${'JOBID'.padStart(12)} ${'USER'.padEnd(8)} ST NTASKS NNODES  RUNTIME`);
      const user = os.userInfo().username;
      for (const n of nodes) {
        const j = n.job;
        const rt = j.t_run ? (j.t_inactive ?? j.t_cleanup ?? Date.now() / 1000) - j.t_run : 0;
        lines.push(
          `${encodeF58(j.id).padStart(12)} ${user.padEnd(8)} ${statusAbbrev(j).padStart(2)} ${String(j.ntasks).padStart(6)} ${String(j.nnodes ?? '').padStart(6)} ${fsd.formatPy(rt).padStart(8)} ${n.label}`,
        );
      }
    } else {
      lines.push('.');
      nodes.forEach((n, i) => {
        const text = n.count > 1 ? `${n.count}*[${n.label}]` : n.label;
        lines.push((i === nodes.length - 1 ? last : mid) + text);
      });
    }
    process.stdout.write(lines.map(cut).join('\n') + '\n');
    return 0;
  }
}
