/**
 * flux post-job-event ID NAME [KEY=VALUE...]: post event NAME, with that
 * context, to an active job's eventlog (the instance owner; the job
 * manager's .post-event builtin, job-manager.post-event.post). A VALUE that
 * reads as JSON is taken as such (`status=0`), else as a string; a dotted
 * KEY makes nested objects (`a.b=1`).
 */
import { FluxCommand } from '../base-command';
import type { CommandSpec } from '../options';
import type { FluxError } from '../../lib/errors';
import { Errno } from '../../lib/errno';
import { parseIdArg } from '../jobspec/job-info';

type Obj = Record<string, unknown>;

/** key=value pairs as a tree (Flux's TreedictAction) */
export function treedict(pairs: readonly string[]): Obj | string {
  const out: Obj = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return `Invalid context '${pair}': expected KEY=VALUE`;
    const keys = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      v = raw;
    }
    let o = out;
    for (const k of keys.slice(0, -1)) {
      const next = o[k];
      o = (o[k] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Obj;
    }
    o[keys[keys.length - 1]!] = v;
  }
  return out;
}

export class PostJobEventCommand extends FluxCommand {
  static override spec: CommandSpec = {
    path: ['post-job-event'],
    grammar: 'argparse',
    prog: 'flux-job-post-event',
    summary: "Post an event to an active job's eventlog",
    options: [],
    operands: [
      { name: 'id', nargs: '1', description: 'jobid to which event shall be posted' },
      { name: 'name', nargs: '1', description: 'name of event to post' },
      { name: 'context', nargs: '...', description: 'List of key=value pairs to set as event context' },
    ],
  };

  async run(): Promise<number> {
    const ops = this.args.operands;
    if (ops.length < 2) this.usageError(`the following arguments are required: ${['id', 'name'].slice(ops.length).join(', ')}`);
    const [typed, name, ...pairs] = ops as [string, string, ...string[]];
    const id = parseIdArg(typed);
    if (id === undefined) this.fail(`invalid JobID value: '${typed}'`);
    const context = treedict(pairs);
    if (typeof context === 'string') this.fail(context);
    const h = await this.connect();
    try {
      await h.rpc('job-manager.post-event.post', { id, name, ...(pairs.length > 0 ? { context } : {}) });
    } catch (e) {
      const fe = e as FluxError;
      this.fail(fe.errno === Errno.ENOENT ? `No such job ${typed}` : fe.message);
    }
    return 0;
  }
}
