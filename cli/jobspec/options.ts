/**
 * POSIX-style option parsing for the submission commands (run, submit,
 * bulksubmit): parsing stops at the first non-option word (the job command), a
 * leading `--` is consumed, long options are never abbreviated, `--opt=val`,
 * `--opt val`, `-Nval`, `-N val` and bundled flags (`-xv`) work. Every occurrence
 * remembers how the user typed it, so errors can repeat it.
 */
import { SubmitOptionError } from './types';

export interface OptDef {
  long: string;
  short?: string;
  /** 'none': a flag; 'required': takes a value */
  arg: 'none' | 'required';
}

export interface Occurrence {
  /** the value ('' for flags) */
  value: string;
  /** the option as typed, e.g. `-N0`, `-N 0`, `--nodes=0` */
  typed: string;
  /** position among all parsed options (set by the parser) */
  seq?: number;
}

/** Options shared by run, submit and bulksubmit (flux-submit(1)). */
export const COMMON_OPTS: readonly OptDef[] = [
  { long: 'nodes', short: 'N', arg: 'required' },
  { long: 'ntasks', short: 'n', arg: 'required' },
  { long: 'cores-per-task', short: 'c', arg: 'required' },
  { long: 'gpus-per-task', short: 'g', arg: 'required' },
  { long: 'exclusive', short: 'x', arg: 'none' },
  { long: 'cores', arg: 'required' },
  { long: 'tasks-per-node', arg: 'required' },
  { long: 'tasks-per-core', arg: 'required' },
  { long: 'gpus-per-node', arg: 'required' },
  { long: 'queue', short: 'q', arg: 'required' },
  { long: 'bank', short: 'B', arg: 'required' },
  { long: 'time-limit', short: 't', arg: 'required' },
  { long: 'urgency', arg: 'required' },
  { long: 'job-name', arg: 'required' },
  { long: 'flags', arg: 'required' },
  { long: 'dependency', arg: 'required' },
  { long: 'begin-time', arg: 'required' },
  { long: 'requires', arg: 'required' },
  { long: 'setattr', short: 'S', arg: 'required' },
  { long: 'setopt', short: 'o', arg: 'required' },
  { long: 'env', arg: 'required' },
  { long: 'env-remove', arg: 'required' },
  { long: 'env-file', arg: 'required' },
  { long: 'cwd', arg: 'required' },
  { long: 'output', arg: 'required' },
  { long: 'error', arg: 'required' },
  { long: 'input', arg: 'required' },
  { long: 'label-io', short: 'l', arg: 'none' },
  { long: 'unbuffered', short: 'u', arg: 'none' },
  { long: 'taskmap', arg: 'required' },
  { long: 'rlimit', arg: 'required' },
  { long: 'signal', arg: 'required' },
  { long: 'add-file', arg: 'required' },
  { long: 'dry-run', arg: 'none' },
  { long: 'debug', arg: 'none' },
  { long: 'verbose', short: 'v', arg: 'none' },
];

/** Extra options of flux submit (and bulksubmit). */
export const SUBMIT_OPTS: readonly OptDef[] = [
  { long: 'cc', arg: 'required' },
  { long: 'bcc', arg: 'required' },
  { long: 'quiet', arg: 'none' },
  { long: 'wait', arg: 'none' },
  { long: 'wait-event', arg: 'required' },
  { long: 'watch', arg: 'none' },
  { long: 'progress', arg: 'none' },
  { long: 'jps', arg: 'none' },
  { long: 'log', arg: 'required' },
  { long: 'log-stderr', arg: 'required' },
];

export class ParsedArgs {
  readonly opts = new Map<string, Occurrence[]>();
  command: string[] = [];

  private n = 0;

  add(long: string, occ: Occurrence): void {
    occ.seq = this.n++;
    let l = this.opts.get(long);
    if (!l) this.opts.set(long, (l = []));
    l.push(occ);
  }
  /** last occurrence of an option */
  get(long: string): Occurrence | undefined {
    const l = this.opts.get(long);
    return l ? l[l.length - 1] : undefined;
  }
  all(long: string): Occurrence[] {
    return this.opts.get(long) ?? [];
  }
  has(long: string): boolean {
    return this.opts.has(long);
  }
  count(long: string): number {
    return this.all(long).length;
  }
}

/**
 * Parse argv (after the command name). Throws SubmitOptionError with usage=true
 * for argparse-style errors (`unrecognized arguments: --x`, missing values).
 */
export function parseSubmitArgs(argv: readonly string[], defs: readonly OptDef[]): ParsedArgs {
  const byLong = new Map(defs.map((d) => [d.long, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short!, d]));
  const out = new ParsedArgs();
  const unknown: string[] = [];
  const name = (d: OptDef) => (d.short ? `-${d.short}/--${d.long}` : `--${d.long}`);
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const long = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const d = byLong.get(long);
      if (!d) {
        unknown.push(a);
        continue;
      }
      if (d.arg === 'none') {
        if (eq >= 0) throw new SubmitOptionError(`argument ${name(d)}: ignored explicit argument '${a.slice(eq + 1)}'`, true);
        out.add(d.long, { value: '', typed: a });
      } else if (eq >= 0) {
        out.add(d.long, { value: a.slice(eq + 1), typed: a });
      } else {
        if (i + 1 >= argv.length) throw new SubmitOptionError(`argument ${name(d)}: expected one argument`, true);
        const v = argv[++i]!;
        out.add(d.long, { value: v, typed: `${a} ${v}` });
      }
      continue;
    }
    // short option cluster
    for (let j = 1; j < a.length; j++) {
      const d = byShort.get(a[j]!);
      if (!d) {
        unknown.push(j === 1 ? a : `-${a[j]}`);
        break;
      }
      if (d.arg === 'none') {
        out.add(d.long, { value: '', typed: `-${a[j]}` });
        continue;
      }
      const rest = a.slice(j + 1);
      if (rest.length > 0) {
        out.add(d.long, { value: rest, typed: `-${a[j]}${rest}` });
      } else {
        if (i + 1 >= argv.length) throw new SubmitOptionError(`argument ${name(d)}: expected one argument`, true);
        const v = argv[++i]!;
        out.add(d.long, { value: v, typed: `-${a[j]} ${v}` });
      }
      break;
    }
  }
  if (unknown.length > 0) throw new SubmitOptionError(`unrecognized arguments: ${unknown.join(' ')}`, true);
  out.command = argv.slice(i);
  return out;
}
