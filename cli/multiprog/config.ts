/**
 * A `flux multi-prog` configuration: lines of `TASKS COMMAND [ARGS...]`, TASKS
 * an idset of task ranks or `*` (the line for any task no other line names).
 * Lines are split as Flux's Python shlex does (quotes, backslashes, `#`
 * comments); a blank or comment line, or one with no command, is ignored. In
 * COMMAND and ARGS, `%t` is the task rank and `%o` its offset within TASKS.
 *
 * Errors are Flux's texts: `CONFIG: line N: invalid idset: X`,
 * `CONFIG: line N: 'TEXT': REASON`, `CONFIG: No matching line for rank N`.
 */
import { IdsetError, decode } from '../../lib/formats/idset';
import { SplitError, splitWords } from '../shlex';

export class MultiProgError extends Error {}

export interface MultiProgLine {
  /** the task ranks it names, ascending; undefined for `*` */
  readonly ranks: readonly number[] | undefined;
  /** the command and its arguments, before %t and %o are replaced */
  readonly args: readonly string[];
}

export interface MultiProgConfig {
  readonly lines: readonly MultiProgLine[];
  /** the last `*` line, if any */
  readonly fallthru: MultiProgLine | undefined;
}

function parseLine(text: string, lineno: number): MultiProgLine | undefined {
  let words: string[];
  try {
    words = splitWords(text);
  } catch (e) {
    if (e instanceof SplitError) throw new MultiProgError(`line ${lineno}: '${text.trimEnd()}': ${e.message}`);
    throw e;
  }
  if (words.length < 2) return undefined;
  const [targets, ...args] = words as [string, ...string[]];
  if (targets === '*') return { ranks: undefined, args };
  try {
    return { ranks: decode(targets), args };
  } catch (e) {
    if (e instanceof IdsetError) throw new MultiProgError(`line ${lineno}: invalid idset: ${targets}`);
    throw e;
  }
}

/** Parse config text; `name` prefixes error messages. Throws MultiProgError. */
export function parseConfig(text: string, name: string): MultiProgConfig {
  const lines: MultiProgLine[] = [];
  let fallthru: MultiProgLine | undefined;
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  all.forEach((line, i) => {
    let l: MultiProgLine | undefined;
    try {
      l = parseLine(line, i + 1);
    } catch (e) {
      if (e instanceof MultiProgError) throw new MultiProgError(`${name}: ${e.message}`);
      throw e;
    }
    if (l === undefined) return;
    if (l.ranks === undefined) fallthru = l;
    else lines.push(l);
  });
  return { lines, fallthru };
}

/** The command line for task `rank`: the first line naming it, else `*`. Throws MultiProgError. */
export function commandFor(config: MultiProgConfig, rank: number, name: string): string[] {
  const line = config.lines.find((l) => l.ranks!.includes(rank)) ?? config.fallthru;
  if (line === undefined) throw new MultiProgError(`${name}: No matching line for rank ${rank}`);
  const offset = line.ranks === undefined ? 0 : line.ranks.indexOf(rank);
  const sub: Record<string, string> = { '%t': String(rank), '%o': String(offset) };
  return line.args.map((a) => a.replace(/%[to]/g, (m) => sub[m]!));
}
