/** flux cancel: raise a fatal `cancel` exception on jobs (by id, or --all/-u/-S). */
import * as os from 'node:os';
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import { encodeF58 } from '../../lib/formats';
import type { FluxError } from '../../lib/errors';
import { parseIdArg } from '../jobspec/job-info';
import { service } from '../api/protocol';
import { passwdUid } from '../users';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

const CANCEL_STATES: Record<string, number> = { depend: 2, priority: 4, sched: 8, run: 16, pending: 14, running: 48, active: 62 };

const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;

export class CancelCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['cancel'],
    grammar: 'argparse',
    prog: 'flux-cancel',
    usage: 'flux cancel [OPTIONS] [JOBID...]',
    summary: 'Cancel one or more jobs',
    options: [
      { name: 'all', description: 'Target all jobs of the user (see --user and --states)' },
      { name: 'user', short: 'u', arg: 'USER', description: 'With --all, target jobs of USER (or all users: only the instance owner)' },
      { name: 'states', short: 'S', arg: 'STATES', default: 'pending,running', description: 'With --all, target jobs in STATES (default: pending,running)' },
      { name: 'message', short: 'm', arg: 'NOTE', description: 'Set the optional exception note' },
      { name: 'dry-run', short: 'n', description: 'Do not cancel any jobs, but print a count of the jobs that would be canceled' },
      { name: 'quiet', short: 'q', description: 'Suppress the count of canceled jobs' },
    ],
    operands: [{ name: 'JOBID...', nargs: '*', description: 'job ids to cancel' }],
  };

  async run(): Promise<number> {
    const p = this.args;
    const ids: number[] = [];
    for (const a of p.operands) {
      const id = parseIdArg(a);
      if (id === undefined) this.usageError(`argument JOBID...: invalid JobID value: '${a}'`);
      ids.push(id);
    }
    const note = p.str('message') ?? '';
    const dry = p.has('dry-run');
    const selecting = p.has('all') || p.has('user') || p.has('states');
    if (ids.length > 0 && selecting) this.fail('Do not specify a list of jobids with --all,--user,--states options');
    if (ids.length === 0 && !selecting) this.fail('No target jobs were provided');
    const h = await this.connect();
    if (selecting) {
      let states = 0;
      for (const s of (p.str('states') ?? 'pending,running').split(',')) {
        const k = s.trim().toLowerCase();
        if (!(k in CANCEL_STATES)) this.fail(`Invalid state ${s} specified`);
        states |= CANCEL_STATES[k]!;
      }
      const u = p.str('user');
      let userid = os.userInfo().uid;
      if (u === 'all') userid = -1;
      else if (u !== undefined) {
        if (/^\d+$/.test(u)) userid = Number(u);
        else userid = passwdUid(u) ?? this.fail(`Invalid user ${u} specified`);
      }
      const r = await jobManager.call(h, 'raiseall', {
        states,
        userid,
        type: 'cancel',
        severity: 0,
        note,
        dry_run: dry,
      });
      if (r.count === 0) {
        if (!p.has('quiet')) process.stderr.write('flux-cancel: Matched 0 jobs\n');
      } else if (dry) {
        process.stderr.write(`flux-cancel: Would cancel ${jobs(r.count)}\n`);
      } else if (!p.has('quiet')) {
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
        jobManager.call(h, 'raise', { id, type: 'cancel', severity: 0, note }).then(
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
