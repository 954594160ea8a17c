/**
 * flux admin system-scripts [-v] [--color=WHEN]: how the instance's prolog,
 * epilog and housekeeping are set up (Flux 0.88's): enabled or not, per-rank
 * or the release policy, and the command that runs. flux-ts runs only the
 * configured command (its flux-imp has no `run` with script directories), so
 * there are no script directories to list: -v says so for each.
 */
import { FluxCommand } from '../../base-command';
import { isTable } from '../../../lib/config-schema';
import type { CommandSpec } from '../../options';
import { colorWanted } from '../../color-when';
import type { FluxError } from '../../../lib/errors';
import { Errno } from '../../../lib/errno';

type Obj = Record<string, unknown>;

const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';


export class AdminSystemScriptsCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['admin', 'system-scripts'],
    grammar: 'argparse',
    prog: 'flux-admin system-scripts',
    errorName: 'flux-admin',
    summary: 'Show configured system scripts (prolog, epilog, housekeeping)',
    options: [
      { name: 'verbose', short: 'v', description: 'Show scripts even when not configured (flux-ts: says that there are no script directories)' },
      { name: 'color', arg: 'WHEN', optionalArg: true, description: "Use color; WHEN can be 'never', 'always', or 'auto' (default)" },
    ],
    operands: [],
  };

  async run(): Promise<number> {
    const color = colorWanted(this.args.get('color'), (m) => this.usageError(m));
    const paint = (text: string, c: string) => (color ? `${c}${text}${RESET}` : text);
    const verbose = this.args.has('verbose');
    const h = await this.connect();
    const { config } = await h.rpc<{ config: Obj }>('config.get', {});
    const jm = isTable(config['job-manager']) ? config['job-manager'] : {};
    // is perilog.so loaded? a guest may not ask: then a configured prolog is taken as active
    let perilog: boolean | undefined;
    try {
      await h.rpc('job-manager.jobtap-query', { name: 'perilog.so' });
      perilog = true;
    } catch (e) {
      if ((e as FluxError).errno === Errno.EPERM) process.stderr.write(paint('Warning: only instance owner can query perilog.so status', YELLOW) + '\n');
      else perilog = false;
    }
    const out: string[] = [];
    const show = (type: string, table: unknown, info: (t: Obj) => string, active: boolean) => {
      const t = isTable(table) && Object.keys(table).length > 0 ? table : undefined;
      if (t === undefined) {
        out.push(`▸ ${type}: ${paint('not configured', verbose ? YELLOW : DIM)}`);
        if (verbose) out.push(paint('  (no script directories: flux-ts runs only a configured command)', DIM));
        out.push('');
        return;
      }
      if (!active) {
        out.push(`▸ ${type}: ${paint('configured but inactive', YELLOW)}`, paint('  (perilog plugin not loaded)', YELLOW));
        return;
      }
      out.push(`▸ ${type}: ${paint('enabled', GREEN)} (${info(t)})`);
      const command = Array.isArray(t['command']) ? (t['command'] as unknown[]).map(String).join(' ') : '';
      out.push(`  command: ${command}`, '');
    };
    const perRank = (t: Obj) => `per-rank=${String(t['per-rank'] === true)}`;
    show('prolog', jm['prolog'], perRank, perilog !== false);
    show('epilog', jm['epilog'], perRank, perilog !== false);
    show('housekeeping', jm['housekeeping'], (t) => (typeof t['release-after'] === 'string' ? `release after ${t['release-after']}` : 'batch release'), true);
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  }
}
