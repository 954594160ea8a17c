/** flux pkill: cancel the jobs whose name matches a pattern or whose id is in a range. */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { FluxError } from '../../lib/errors';
import { encodeF58, encodeKvs } from '../../lib/formats';
import { ExpressionError, parseExpressions } from '../pgrep/expression';
import { SHARED_OPTIONS, SelectError, selectJobs } from '../pgrep/select';
import { service } from '../api/protocol';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

const jobs = (n: number) => `${n} job${n === 1 ? '' : 's'}`;

export class PkillCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['pkill'],
    grammar: 'argparse',
    prog: 'flux-pkill',
    summary: 'Cancel jobs whose name matches a pattern or whose id is in a range',
    options: [...SHARED_OPTIONS, { name: 'wait', short: 'w', description: 'Wait for jobs to finish after cancel' }],
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
    const h = await this.connect();
    let targets;
    try {
      targets = await selectJobs(h, p, false);
    } catch (e) {
      if (e instanceof SelectError) this.usageError(e.message);
      throw e;
    }
    if (targets.length === 0) return 1;
    // watch each job's eventlog first, so that --wait cannot miss its end
    const ends = p.has('wait')
      ? targets.map(
          (j) =>
            new Promise<void>((resolve) => {
              let done = false;
              h.rpcStream('kvs.watch', { key: `${encodeKvs(j.id)}.eventlog` }, (m) => {
                if (!done && ((m as { entries?: Array<{ name: string }> }).entries ?? []).some((e) => e.name === 'clean')) {
                  done = true;
                  resolve();
                }
              }).then(resolve, resolve);
            }),
        )
      : [];
    const errors: string[] = [];
    const canceled = await Promise.all(
      targets.map((j) =>
        jobManager.call(h, 'raise', { id: j.id, type: 'cancel', severity: 0, note: '' }).then(
          () => true,
          (e: FluxError) => (errors.push(`${encodeF58(j.id)}: ${e.message}`), false),
        ),
      ),
    );
    for (const e of errors) process.stderr.write(`flux-pkill: ERROR: ${e}\n`);
    const ok = targets.length - errors.length;
    if (ok > 0) process.stderr.write(`flux-pkill: INFO: Canceled ${jobs(ok)}\n`);
    if (p.has('wait')) await Promise.all(ends.filter((_, i) => canceled[i]));
    return errors.length > 0 ? 1 : 0;
  }
}
