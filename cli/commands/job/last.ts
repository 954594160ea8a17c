/** flux job last [N|SLICE]: print your most recent job id(s), newest first. */
import * as os from 'node:os';
import { Command, Option } from 'clipanion';
import { FluxCommand, CommandExit } from '../../base-command';
import { encodeF58 } from '../../../kernel/api/formats';

export const LAST_USAGE = `Usage: flux-job last SLICE
Print the most recently submitted jobid for the current user
  -h, --help             Display this message.`;

/** Python slice [start:stop:step] over a list. */
function pySlice<T>(l: readonly T[], spec: string): T[] | undefined {
  const m = /^\[(-?\d*)(?::(-?\d*))?(?::(-?\d*))?\]$/.exec(spec);
  if (!m) return undefined;
  if (m[2] === undefined && m[3] === undefined) {
    if (m[1] === '') return undefined;
    let i = Number(m[1]);
    if (i < 0) i += l.length;
    return i >= 0 && i < l.length ? [l[i]!] : [];
  }
  const step = m[3] ? Number(m[3]) : 1;
  if (step === 0) return undefined;
  const n = l.length;
  const norm = (v: string | undefined, def: number) => {
    if (v === undefined || v === '') return def;
    let x = Number(v);
    if (x < 0) x += n;
    return step > 0 ? Math.min(Math.max(x, 0), n) : Math.min(Math.max(x, -1), n - 1);
  };
  const start = norm(m[1], step > 0 ? 0 : n - 1);
  const stop = norm(m[2], step > 0 ? n : -1);
  const out: T[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(l[i]!);
  return out;
}

export class JobLastCommand extends FluxCommand {
  static override paths = [['job', 'last']];
  static override prog = 'flux-job';
  static override usageLine = LAST_USAGE;
  static override usage = Command.Usage({ description: 'Print the most recently submitted jobid for the current user' });
  args = Option.Rest();

  async run(): Promise<number> {
    if (this.args.length > 1) throw new CommandExit(1, LAST_USAGE);
    const arg = this.args[0] ?? '1';
    const h = await this.connect();
    const r = await h.rpc<{ jobs: Array<{ id: number }> }>('job-manager.list', { states: 126, userid: os.userInfo().uid });
    const ids = r.jobs.map((j) => j.id).sort((a, b) => b - a);
    let sel: number[] | undefined;
    if (/^\d+$/.test(arg)) sel = ids.slice(0, Number(arg));
    else sel = pySlice(ids, arg);
    if (sel === undefined) throw new CommandExit(1, LAST_USAGE);
    if (ids.length === 0) this.fail('job history is empty');
    process.stdout.write(sel.map((id) => encodeF58(id) + '\n').join(''));
    return 0;
  }
}
