/** flux pgrep: list the jobs whose name matches a pattern or whose id is in a range. */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { OutputFormat } from '../../lib/formats/output-format';
import { JOB_FORMATS, rewriteConversions, rowOf } from '../jobspec/jobs-fields';
import { ExpressionError, parseExpressions } from '../pgrep/expression';
import { SHARED_OPTIONS, SelectError, selectJobs } from '../pgrep/select';

/** pgrep's named formats: its default is the ids alone; `full` is flux-jobs' default */
const PGREP_FORMATS: Record<string, string> = {
  default: '{id.f58}',
  full: JOB_FORMATS.formats['default']!.format,
  long: JOB_FORMATS.formats['long']!.format,
  deps: JOB_FORMATS.formats['deps']!.format,
};

export class PgrepCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['pgrep'],
    grammar: 'argparse',
    prog: 'flux-pgrep',
    summary: 'List jobs whose name matches a pattern or whose id is in a range',
    options: [
      { name: 'all', short: 'a', description: 'Include jobs in all states, including inactive' },
      ...SHARED_OPTIONS,
      { name: 'format', short: 'o', arg: 'NAME|FORMAT', description: 'Specify output format using Python\'s string format syntax or a defined format by name (default, full, long, deps)' },
      { name: 'no-header', short: 'n', description: 'Suppress printing of header line' },
    ],
    operands: [{ name: 'EXPRESSION', nargs: '+', description: 'job name pattern or id range' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    try {
      parseExpressions(p.operands);
    } catch (e) {
      if (e instanceof ExpressionError) this.fail(e.message, 2);
      throw e;
    }
    const named = p.str('format') ?? process.env['FLUX_PGREP_FORMAT_DEFAULT'] ?? 'default';
    const text = PGREP_FORMATS[named] ?? named;
    let fmt: OutputFormat;
    try {
      const { format, headings } = rewriteConversions(text);
      fmt = new OutputFormat(format, headings);
    } catch (e) {
      this.fail(`Error in user format: ${(e as Error).message}`);
    }
    const h = await this.connect();
    let jobs;
    try {
      jobs = await selectJobs(h, p, p.has('all'));
    } catch (e) {
      if (e instanceof SelectError) this.usageError(e.message);
      throw e;
    }
    if (jobs.length === 0) return 1;
    const now = Date.now() / 1000;
    const rows = jobs.map((j) => rowOf(j, fmt.fields(), now));
    // the default format is the bare ids: no header
    const noHeader = p.has('no-header') || text === PGREP_FORMATS['default'];
    const lines = fmt.render(rows, noHeader);
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    return 0;
  }
}
