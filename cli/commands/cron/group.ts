/**
 * `flux cron`: entries of the cron service (modules/cron) that run commands
 * on timers, events and dates. Its sub-commands are the other files of this
 * folder; this one holds what they share: the spec shape (Flux's flux-cron
 * subcommands parse with getopt, print progress as `SUB: ...` on stdout and
 * die with `flux-cron SUB: ...` on stderr, exit 1), the -o/-E/-d options and
 * the cron.create request they make.
 */
import * as path from 'node:path';
import { FluxCommand } from '../../base-command';
import type { CommandSpec, GroupSpec, OperandSpec, OptionSpec } from '../../options';
import type { Client } from '../../api/client';
import type { CronCreateRequest, CronEntryResponse } from '../../../lib/protocol/cron';
import type { CronEntryJson } from '../../../lib/cron/types';

export const cronGroup: GroupSpec = {
  kind: 'group',
  path: ['cron'],
  grammar: 'getopt',
  prog: 'flux-cron',
  summary: 'Schedule tasks on timers and events',
};

/** The spec of `flux cron SUB`. */
export function cronSpec(sub: string, summary: string, usage: string, options: readonly OptionSpec[], operands: readonly OperandSpec[]): CommandSpec {
  return { path: ['cron', sub], grammar: 'getopt', prog: `flux-cron ${sub}`, errorName: `flux-cron ${sub}`, summary, docLine: true, usage, options, operands, freeOperands: true };
}

export const OPTIONS_OPT: OptionSpec = { name: 'options', short: 'o', arg: 'OPTS', description: 'Comma separated list of key=value options: timeout=SECONDS, rank=R, task-history-count=N, stop-on-failure=N' };
export const ENV_OPT: OptionSpec = { name: 'preserve-env', short: 'E', description: 'Run the command in the current environment instead of the broker\'s' };
export const DIR_OPT: OptionSpec = { name: 'working-dir', short: 'd', arg: 'DIR', description: 'Run the command in DIR instead of the broker\'s working directory' };

/** -o keys: their request field and whether the value is an integer */
const EXTRA: Record<string, { field: 'timeout' | 'rank' | 'task_history_count' | 'stop_on_failure'; integer: boolean }> = {
  rank: { field: 'rank', integer: true },
  'stop-on-failure': { field: 'stop_on_failure', integer: true },
  'task-history-count': { field: 'task_history_count', integer: true },
  timeout: { field: 'timeout', integer: false },
};

/** What every `flux cron` sub-command shares. */
export abstract class CronCommand extends FluxCommand {
  /** `SUB: MESSAGE` on stdout, as Flux's flux-cron logs progress. */
  protected say(text: string): void {
    process.stdout.write(`${this.spec.path[1]}: ${text}\n`);
  }

  /** The ids on the command line (at least one): integers, else a one-line error. */
  protected ids(): number[] {
    const words = this.args.operands;
    if (words.length === 0) this.usage();
    return words.map((w) => {
      if (!/^[0-9]+$/.test(w)) this.fail(`invalid cron entry id '${w}'`);
      return Number(w);
    });
  }
}

/** What the create commands share. */
export abstract class CronCreateCommand extends CronCommand {
  /** -o LIST, -E, -d: the request fields they give */
  protected common(): Partial<CronCreateRequest> {
    const out: Partial<CronCreateRequest> = {};
    for (const list of this.args.values('options')) {
      for (const item of list.split(',')) {
        if (item === '') continue;
        const eq = item.indexOf('=');
        if (eq <= 0) this.fail(`-o ${item}: expected KEY=VALUE`);
        const key = item.slice(0, eq);
        const val = item.slice(eq + 1);
        const x = EXTRA[key];
        if (!x) this.fail(`unknown option '${key}' (valid: ${Object.keys(EXTRA).join(', ')})`);
        const n = /^[0-9]*\.?[0-9]+([eE][+-]?[0-9]+)?$/.test(val) ? Number(val) : NaN;
        if (!Number.isFinite(n) || (x.integer && !Number.isInteger(n))) this.fail(`-o ${item}: ${key} must be ${x.integer ? 'an integer' : 'a number'} >= 0`);
        out[x.field] = n;
      }
    }
    if (this.args.has('preserve-env')) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
      out.environ = env;
    }
    const dir = this.args.str('working-dir');
    if (dir !== undefined) out.cwd = path.resolve(dir);
    return out;
  }

  /** Send cron.create; the entry made. */
  protected async create(h: Client, req: CronCreateRequest): Promise<CronEntryJson> {
    const r = await h.rpc<CronEntryResponse>('cron.create', req);
    return r.entry as CronEntryJson;
  }
}

/** `a second ago`, `5 minutes ago`, ... (Flux's flux-cron reladate). */
export function reladate(t: number, now = Date.now() / 1000): string {
  if (t > now) return 'in the future';
  let diff = now - t;
  if (diff < 2) return 'a second ago';
  if (diff < 90) return `${Math.floor(diff)} seconds ago`;
  diff /= 60;
  if (diff < 2) return 'a minute ago';
  if (diff < 90) return `${Math.floor(diff)} minutes ago`;
  diff /= 60;
  if (diff < 36) return `${diff.toFixed(1)} hours ago`;
  diff /= 24;
  if (diff < 14) return `${diff.toFixed(1)} days ago`;
  const d = Math.floor(diff);
  if (d < 70) return `${Math.floor((d + 3) / 7)} weeks ago`;
  if (d < 365) return `${Math.floor((d + 15) / 30)} months ago`;
  return `${(diff / 365).toFixed(1)} years ago`;
}

/** A run time: `1.500s`, `2.000m`, `12.34ms` (Flux's seconds_to_string). */
export function secondsToString(s: number): string {
  if (s > 86400) return `${(s / 86400).toFixed(3)}d`;
  if (s > 3600) return `${(s / 3600).toFixed(3)}h`;
  if (s > 60) return `${(s / 60).toFixed(3)}m`;
  if (s > 1) return `${s.toFixed(3)}s`;
  return `${(s * 1000).toFixed(2)}ms`;
}

/** C's %c in the C locale: `Sat Dec  5 04:20:39 2026`. */
export function ctime(t: number): string {
  const d = new Date(t * 1000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}
