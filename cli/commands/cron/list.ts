/** flux cron list: the entries, their state, run count, last run and last status (Flux's table). */
import type { CronListResponse } from '../../../lib/protocol/cron';
import type { CronEntryJson } from '../../../lib/cron/types';
import { CronCommand, cronSpec, reladate } from './group';

/** printf("%6s %-15s %-8s %9s %18s  %-18s\n") */
function row(id: string, name: string, state: string, runs: string, last: string, status: string): string {
  return `${id.padStart(6)} ${name.padEnd(15)} ${state.padEnd(8)} ${runs.padStart(9)} ${last.padStart(18)}  ${status.padEnd(18)}\n`;
}

/** The STATUS column: the newest task's outcome. */
function status(e: CronEntryJson): string {
  const t = e.tasks[0];
  if (!t) return 'None';
  if (t.state === 'Failed') return t.code === 127 ? 'Exec-Error' : `Failed:rc=${t.code ?? 0}`;
  if (t.state === 'Exited') return 'Success';
  return t.state;
}

export class CronListCommand extends CronCommand {
  static override spec = cronSpec('list', 'List registered and stopped flux-cron jobs', '', [], []);

  async run(): Promise<number> {
    if (this.args.operands.length > 0) this.usage();
    const h = await this.connect();
    const r = await h.rpc<CronListResponse>('cron.list', {});
    let out = row('ID', 'CMD/NAME', 'STATE', '#RUNS', 'LASTRUN', 'STATUS');
    for (const o of r.entries) {
      const e = o as CronEntryJson;
      const t0 = e.tasks[0]?.['start-time'] ?? e.tasks[1]?.['start-time'];
      const runs = e.repeat > 0 ? `${e.stats.count}/${e.repeat}` : String(e.stats.count);
      out += row(String(e.id), e.name, e.stopped ? 'Stopped' : 'Active', runs, t0 === undefined ? 'None' : reladate(t0), status(e));
    }
    process.stdout.write(out);
    return 0;
  }
}
