/** flux job last [N|SLICE]: print your most recent job id(s), newest first. */
import * as os from 'node:os';
import { FluxCommand } from '../../base-command';
import { encodeF58 } from '../../../lib/formats';
import type { CommandSpec } from '../../options';
import { JobStates } from '../../../lib/protocol/job-states';

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
  static override spec: CommandSpec = {
    path: ['job', 'last'],
    grammar: 'getopt',
    prog: 'flux-job last',
    summary: 'Print the most recently submitted jobid for the current user',
    docLine: true,
    usage: 'SLICE',
    options: [],
    operands: [{ name: 'SLICE', nargs: '?' }],
  };

  async run(): Promise<number> {
    const arg = this.args.operands[0] ?? '1';
    const h = await this.connect();
    const r = await h.rpc<{ jobs: Array<{ id: number }> }>('job-manager.list', { states: JobStates.ALL, userid: os.userInfo().uid });
    const ids = r.jobs.map((j) => j.id).sort((a, b) => b - a);
    let sel: number[] | undefined;
    if (/^\d+$/.test(arg)) sel = ids.slice(0, Number(arg));
    else sel = pySlice(ids, arg);
    if (sel === undefined) this.usage();
    if (ids.length === 0) this.fail('job history is empty');
    process.stdout.write(sel.map((id) => encodeF58(id) + '\n').join(''));
    return 0;
  }
}
