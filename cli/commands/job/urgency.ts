/** flux job urgency [-v] ID N|hold|default|expedite: change a pending job's urgency. */
import { JobCommand } from '../../jobspec/job-command';
import type { FluxError } from '../../../lib/errors';
import type { CommandSpec } from '../../options';
import { service } from '../../api/protocol';
import type { JobManagerProtocol } from '../../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

const NAMED: Record<string, number> = { hold: 0, default: 16, expedite: 31 };

export class JobUrgencyCommand extends JobCommand {
  static override spec: CommandSpec = {
    path: ['job', 'urgency'],
    grammar: 'getopt',
    prog: 'flux-job urgency',
    summary: 'Set job urgency (0-31, HOLD, EXPEDITE, DEFAULT)',
    docLine: true,
    usage: '[OPTIONS] id urgency',
    options: [{ name: 'verbose', short: 'v', description: 'Output old urgency value on success' }],
    operands: [
      { name: 'id', nargs: '1' },
      { name: 'urgency', nargs: '1' },
    ],
  };

  async run(): Promise<number> {
    const p = this.args;
    const [typed, value] = p.operands as [string, string];
    const h = await this.connect();
    const id = this.jobId(typed);
    const urgency = NAMED[value.toLowerCase()] ?? parseUnsigned(value);
    if (urgency === undefined) this.fail(`error parsing urgency: "${value}"`);
    let old: number;
    try {
      old = (await jobManager.call(h, 'urgency', { id, urgency })).old_urgency;
    } catch (e) {
      this.fail(`${typed}: ${(e as FluxError).message}`);
    }
    if (p.has('verbose')) {
      const what = old === 0 ? 'job held' : old === 31 ? 'job expedited' : String(old);
      process.stderr.write(`old urgency: ${what}\n`);
    }
    return 0;
  }
}

/** strtoull as flux-job uses it: decimal digits (a leading '-' wraps, so the job manager rejects it). */
function parseUnsigned(s: string): number | undefined {
  if (!/^\s*[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : -1;
}
