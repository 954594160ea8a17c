/**
 * flux cron dump [-k KEY] ID...: every key of an entry as `key = value`
 * (strings quoted; stats.*, typedata.*, task.N.* for its tasks, newest
 * first), or with --key the one value.
 */
import { fsd } from '../../../lib/formats';
import type { CronListResponse } from '../../../lib/protocol/cron';
import type { CronEntryJson } from '../../../lib/cron/types';
import { CronCommand, cronSpec } from './group';

/** The entry's keys, flattened as Flux's flux-cron dump names them. */
export function flatten(e: CronEntryJson): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(e)) {
    if (k === 'tasks') e.tasks.forEach((t, i) => Object.entries(t).forEach(([tk, tv]) => out.push([`task.${i + 1}.${tk}`, tv])));
    else if (typeof v === 'object' && v !== null) for (const [sk, sv] of Object.entries(v)) out.push([`${k}.${sk}`, sv]);
    else out.push([k, v]);
  }
  return out;
}

/** A value as Lua's tostring prints it: integers plain, other numbers to 14 significant digits. */
function show(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : fsd.formatG(v, 14);
  return String(v);
}

export class CronDumpCommand extends CronCommand {
  static override spec = cronSpec('dump', 'Dump values from a cron entry', '[OPTIONS] IDs...', [{ name: 'key', short: 'k', arg: 'KEY', description: 'Print only the value of KEY' }], [{ name: 'IDs', nargs: '+' }]);

  async run(): Promise<number> {
    const ids = this.ids();
    const h = await this.connect();
    const r = await h.rpc<CronListResponse>('cron.list', {});
    const entries = r.entries as CronEntryJson[];
    const key = this.args.str('key');
    let out = '';
    for (const id of ids) {
      const e = entries.find((x) => x.id === id);
      if (!e) {
        process.stdout.write(out);
        this.fail(`cron-${id}: No such cron entry found`);
      }
      const kv = flatten(e);
      if (key === undefined) out += kv.map(([k, v]) => `${k} = ${typeof v === 'string' ? `"${v}"` : show(v)}\n`).join('');
      else {
        const hit = kv.find(([k]) => k === key);
        if (!hit) {
          process.stdout.write(out);
          this.fail(`cron-${id}: no key ${key} (flux cron dump ${id} lists them)`);
        }
        out += `${show(hit[1])}\n`;
      }
    }
    process.stdout.write(out);
    return 0;
  }
}
