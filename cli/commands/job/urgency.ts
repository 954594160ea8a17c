/** flux job urgency [-v] ID N|hold|default|expedite: change a pending job's urgency. */
import { Command, Option } from 'clipanion';
import { CommandExit } from '../../base-command';
import { JobCommand } from '../../jobspec/job-command';
import { jobOptparse } from '../../jobspec/job-optparse';
import type { FluxError } from '../../../kernel/api/errors';

export const URGENCY_USAGE = `Usage: flux-job urgency [OPTIONS] id urgency
Set job urgency (0-31, HOLD, EXPEDITE, DEFAULT)
  -h, --help             Display this message.
  -v, --verbose          Output old urgency value on success`;

const NAMED: Record<string, number> = { hold: 0, default: 16, expedite: 31 };

export class JobUrgencyCommand extends JobCommand {
  static override paths = [['job', 'urgency']];
  static override usageLine = URGENCY_USAGE;
  static override usage = Command.Usage({ description: 'Set job urgency (0-31, HOLD, EXPEDITE, DEFAULT)' });
  argv = Option.Proxy();

  async run(): Promise<number> {
    const p = jobOptparse('urgency', this.argv, [{ long: 'verbose', short: 'v' }]);
    if (p.positionals.length !== 2) throw new CommandExit(1, URGENCY_USAGE);
    const [typed, value] = p.positionals as [string, string];
    const h = await this.connect();
    const id = this.jobId(typed);
    const urgency = NAMED[value.toLowerCase()] ?? parseUnsigned(value);
    if (urgency === undefined) this.fail(`error parsing urgency: "${value}"`);
    let old: number;
    try {
      old = (await h.rpc<{ old_urgency: number }>('job-manager.urgency', { id, urgency })).old_urgency;
    } catch (e) {
      this.fail(`${typed}: ${(e as FluxError).message}`);
    }
    if (p.opts.has('verbose')) {
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
