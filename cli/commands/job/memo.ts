/** flux job memo [--volatile] ID KEY=VALUE...: post small facts about a job (a `memo` event in its eventlog; --volatile: in its annotations only). */
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

export class JobMemoCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'memo'],
    grammar: 'getopt',
    prog: 'flux-job memo',
    summary: 'Post an RFC 21 memo to a job',
    docLine: true,
    usage: '[OPTIONS] id key=value [key=value...]',
    options: [{ name: 'volatile', description: 'Memo will not appear in eventlog (will be lost on restart)' }],
    operands: [
      { name: 'id', nargs: '1' },
      { name: 'key=value', nargs: '+' },
    ],
  };

  async run(): Promise<number> {
    const p = this.args;
    const [typed, ...pairs] = p.operands as [string, ...string[]];
    const id = this.jobId(typed);
    const memo: Record<string, unknown> = {};
    for (const kv of pairs) {
      const eq = kv.indexOf('=');
      if (eq <= 0) this.fail(`memo: invalid argument '${kv}': expected key=value`);
      const value = kv.slice(eq + 1);
      // a value that is JSON is posted as that JSON, anything else as a string
      let v: unknown;
      try {
        v = JSON.parse(value);
      } catch {
        v = value;
      }
      memo[kv.slice(0, eq)] = v;
    }
    const h = await this.connect();
    try {
      await jobManager.call(h, 'memo', { id, memo, ...(p.has('volatile') ? { volatile: true } : {}) });
    } catch (e) {
      this.fail(`memo: ${(e as FluxError).message}`);
    }
    return 0;
  }
}
