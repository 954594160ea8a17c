/** flux cancel: raise a fatal `cancel` exception on jobs (by id, or --all/-u/-S). */
import { Command, Option } from 'clipanion';
import * as os from 'node:os';
import { FluxCommand, CommandExit } from '../base-command';
import { getoptArgparse, last, type OptSpec } from '../getopt';
import { encodeF58 } from '../../kernel/api/formats';
import type { FluxError } from '../../kernel/api/errors';
import { parseIdArg } from '../jobspec/job-info';

const USAGE = 'usage: flux cancel [OPTIONS] [JOBID...]';
const SPECS: OptSpec[] = [
  { long: 'all' },
  { long: 'user', short: 'u', arg: true },
  { long: 'states', short: 'S', arg: true },
  { long: 'message', short: 'm', arg: true },
  { long: 'dry-run', short: 'n' },
  { long: 'quiet', short: 'q' },
];
const CANCEL_STATES: Record<string, number> = { depend: 2, priority: 4, sched: 8, run: 16, pending: 14, running: 48, active: 62 };

const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;

export class CancelCommand extends FluxCommand {
  static override paths = [['cancel']];
  static override prog = 'flux-cancel';
  static override fluxStyle = 'py' as const;
  static override usage = Command.Usage({ description: 'Cancel one or more jobs' });
  args = Option.Proxy();

  async run(): Promise<number> {
    const p = getoptArgparse(this.args, SPECS, false, USAGE, 'flux-cancel');
    const ids: number[] = [];
    for (const a of p.positionals) {
      const id = parseIdArg(a);
      if (id === undefined) throw new CommandExit(2, `${USAGE}\nflux-cancel: error: argument JOBID...: invalid JobID value: '${a}'`);
      ids.push(id);
    }
    const note = last(p, 'message') ?? '';
    const dry = p.opts.has('dry-run');
    const selecting = p.opts.has('all') || p.opts.has('user') || p.opts.has('states');
    if (ids.length > 0 && selecting) this.fail('Do not specify a list of jobids with --all,--user,--states options');
    if (ids.length === 0 && !selecting) this.fail('No target jobs were provided');
    const h = await this.connect();
    if (selecting) {
      let states = 0;
      for (const s of (last(p, 'states') ?? 'pending,running').split(',')) {
        const k = s.trim().toLowerCase();
        if (!(k in CANCEL_STATES)) this.fail(`Invalid state ${s} specified`);
        states |= CANCEL_STATES[k]!;
      }
      const u = last(p, 'user');
      let userid = os.userInfo().uid;
      if (u === 'all') userid = -1;
      else if (u !== undefined) {
        if (/^\d+$/.test(u)) userid = Number(u);
        else if (u !== os.userInfo().username) this.fail(`Invalid user ${u} specified`);
      }
      const r = await h.rpc<{ count: number; errors: number }>('job-manager.raiseall', {
        states,
        userid,
        type: 'cancel',
        severity: 0,
        note,
        dry_run: dry,
      });
      if (r.count === 0) {
        if (!p.opts.has('quiet')) process.stderr.write('flux-cancel: Matched 0 jobs\n');
      } else if (dry) {
        process.stderr.write(`flux-cancel: Would cancel ${jobs(r.count)}\n`);
      } else {
        process.stderr.write(`flux-cancel: Canceled ${jobs(r.count)} (${r.errors} error${r.errors === 1 ? '' : 's'})\n`);
      }
      return 0;
    }
    if (dry) {
      process.stderr.write(`flux-cancel: Would cancel ${jobs(ids.length)}\n`);
      return 0;
    }
    const results = await Promise.all(
      ids.map((id) =>
        h.rpc('job-manager.raise', { id, type: 'cancel', severity: 0, note }).then(
          () => undefined,
          (e: FluxError) => `flux-cancel: ERROR: ${encodeF58(id)}: ${e.message}`,
        ),
      ),
    );
    const errs = results.filter((r): r is string => r !== undefined);
    if (errs.length > 0) process.stderr.write(errs.join('\n') + '\n');
    return errs.length > 0 ? 1 : 0;
  }
}
