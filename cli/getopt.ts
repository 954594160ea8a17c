/**
 * A small getopt_long for commands whose Flux counterpart parses like C:
 * short and long options, `--opt=val`/`--opt val`/`-oval`/`-o val`, bundled
 * flags, `--`, and either GNU permutation (options anywhere) or POSIX order
 * (stop at the first non-option, for commands that take a command line).
 * Errors carry getopt's own wording.
 */
import { CommandExit } from './base-command';

export interface OptSpec {
  /** long name without dashes */
  long: string;
  short?: string;
  /** takes a value */
  arg?: boolean;
  /** takes an optional value, only as `--opt=VAL` or `-oVAL` (flags get '') */
  optarg?: boolean;
}

export class GetoptError extends Error {
  /** set for an unknown short option: C getopt words that one `invalid option -- 'x'` */
  readonly badShort?: string;
  constructor(message: string, badShort?: string) {
    super(message);
    if (badShort !== undefined) this.badShort = badShort;
  }
}

export interface Parsed {
  /** values by long name, in order given (flags get '') */
  opts: Map<string, string[]>;
  positionals: string[];
}

export function getopt(argv: readonly string[], specs: readonly OptSpec[], posix: boolean): Parsed {
  const opts = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (s: OptSpec, v: string) => {
    const l = opts.get(s.long) ?? [];
    l.push(v);
    opts.set(s.long, l);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const s = specs.find((x) => x.long === name);
      if (!s) throw new GetoptError(`unrecognized option '${eq < 0 ? a : a.slice(0, eq)}'`);
      if (s.optarg) {
        add(s, eq >= 0 ? a.slice(eq + 1) : '');
      } else if (s.arg) {
        if (eq >= 0) add(s, a.slice(eq + 1));
        else if (i + 1 < argv.length) add(s, argv[++i]!);
        else throw new GetoptError(`option '--${name}' requires an argument`);
      } else {
        if (eq >= 0) throw new GetoptError(`option '--${name}' doesn't allow an argument`);
        add(s, '');
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const s = specs.find((x) => x.short === c);
        if (!s) throw new GetoptError(`unrecognized option '-${c}'`, c);
        if (s.optarg) {
          // `-v2` gives a value; `-vv` repeats the flag
          const rest = a.slice(j + 1);
          if (/^\d+$/.test(rest)) {
            add(s, rest);
            break;
          }
          add(s, '');
          continue;
        }
        if (!s.arg) {
          add(s, '');
          continue;
        }
        if (j + 1 < a.length) add(s, a.slice(j + 1));
        else if (i + 1 < argv.length) add(s, argv[++i]!);
        else throw new GetoptError(`option requires an argument -- '${c}'`);
        break;
      }
      continue;
    }
    if (posix) {
      positionals.push(...argv.slice(i));
      break;
    }
    positionals.push(a);
  }
  return { opts, positionals };
}

/** Last value of an option, or undefined. */
export function last(p: Parsed, long: string): string | undefined {
  const l = p.opts.get(long);
  return l ? l[l.length - 1] : undefined;
}

/**
 * getopt for commands whose Flux counterpart is a Python (argparse) tool: a usage
 * error prints argparse's two lines and exits 2.
 */
export function getoptArgparse(argv: readonly string[], specs: readonly OptSpec[], posix: boolean, usage: string, prog: string): Parsed {
  try {
    return getopt(argv, specs, posix);
  } catch (e) {
    if (e instanceof GetoptError) {
      const m = /'(-[^']*)'/.exec(e.message);
      throw new CommandExit(2, `${usage}\n${prog}: error: ${m ? `unrecognized arguments: ${m[1]}` : e.message}`);
    }
    throw e;
  }
}
