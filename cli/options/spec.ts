/**
 * The declarative option spec of a `flux` command: one object per command from
 * which its parsing (parse.ts), its `--help` (help-optparse.ts, help-argparse.ts)
 * and its man page synopsis (synopsis.ts) are all generated. Nothing about a
 * command's options is written twice.
 *
 * Two grammars, as Flux has two kinds of commands:
 * - 'getopt': the commands Flux writes in C (liboptparse over GNU getopt_long):
 *   bundled short options (`-vt 5`, `-t5`), `--opt=V` and `--opt V`, unique
 *   prefixes of long options (`--time` for `--timeout`), POSIX order (options end
 *   at the first operand), usage errors exit 1.
 * - 'argparse': the commands Flux writes in Python (argparse, allow_abbrev=False):
 *   no abbreviated long options, options anywhere among the operands (or, for the
 *   submission commands, up to the job command), `usage: ...` and
 *   `PROG: error: ...` on usage errors, exit 2.
 */

export type Grammar = 'getopt' | 'argparse';

export interface OptionSpec {
  /** long option name without dashes; also the key of its values */
  readonly name: string;
  /** one-letter short option */
  readonly short?: string;
  /**
   * Metavar when the option takes an argument (`--timeout=DURATION`); absent for a
   * flag. getopt commands print it as given (`[LEVEL]`, `dec|kvs|hex`): write the
   * brackets of an optional argument where Flux does; argparse adds them.
   */
  readonly arg?: string;
  /**
   * The argument is optional: getopt takes it only attached (`--verbose=2`,
   * `-v2`), argparse also as the next word when that is not an option.
   */
  readonly optionalArg?: boolean;
  /** one or more sentences: the help text */
  readonly description: string;
  /** may be given more than once, every value kept (the help says so only where the text does) */
  readonly repeatable?: boolean;
  /** value when not given (documentation; a command reads it with ParsedArgs.str) */
  readonly default?: string;
  /** argparse: the title of the help section it is listed under */
  readonly group?: string;
  /** parsed, but not listed in --help (an alias kept for old scripts) */
  readonly hidden?: boolean;
}

export type Nargs = '1' | '?' | '*' | '+' | '...';

/** An operand, for argparse's operand matching and for the usage text of both grammars. */
export interface OperandSpec {
  /** the metavar: `JOBID`, `TARGET`, `COMMAND` */
  readonly name: string;
  /** '1': exactly one; '?': optional; '*': any number; '+': one or more; '...': the rest, options included */
  readonly nargs: Nargs;
  readonly description?: string;
}

export interface CommandSpec {
  /** the words after `flux`: ['job', 'wait-event'] */
  readonly path: readonly string[];
  readonly grammar: Grammar;
  /**
   * The program name in usage lines and option errors, as Flux prints it:
   * `flux-job wait-event`, `flux setattr`, `flux-jobs`, `flux run`.
   */
  readonly prog: string;
  /**
   * The name in run-time error lines (`flux-job: ...`, `flux-jobs: ERROR: ...`);
   * default: prog's first word, `flux X` written `flux-X`.
   */
  readonly errorName?: string;
  /** one line: the front end's command list, the man page's NAME line, argparse's description */
  readonly summary: string;
  /**
   * getopt: what follows prog on the `Usage:` line (`[OPTIONS] id event`);
   * default `[OPTIONS]...`. argparse: the whole text after `usage: ` when Flux
   * gives one (`flux run [OPTIONS...] COMMAND [ARGS...]`); default generated from
   * the options and operands as argparse does.
   */
  readonly usage?: string;
  /** getopt: print the summary as a line under `Usage:` (Flux's subcommand doc string) */
  readonly docLine?: boolean;
  readonly options: readonly OptionSpec[];
  /** operands, in order: argparse matches them; both grammars show them */
  readonly operands?: readonly OperandSpec[];
  /**
   * argparse: options end at the first operand (the submission commands, whose
   * operands are a command line). getopt commands always do: Flux's optparse is
   * POSIXLY_CORRECT.
   */
  readonly posix?: boolean;
  /** argparse help: the column descriptions may start at, at most (default 40; Flux's submission commands 30) */
  readonly maxHelpPosition?: number;
  /** argparse: `--help=OPTION` prints the whole description of one option (Flux's submission commands, for their plugin options) */
  readonly helpTopics?: boolean;
  /**
   * Parse the options but leave the operands to the command: it checks their
   * count itself (with its own Flux message), or they are a sub-command's words.
   */
  readonly freeOperands?: boolean;
  /** getopt: the help column (optparse's OPTION_WIDTH, 25 by default) */
  readonly optionWidth?: number;
  /** text printed after the option list (argparse: its epilog) */
  readonly epilog?: string;
  /**
   * getopt: sub-commands parsed after this command's own options (`flux pmi -v
   * barrier --test-count=2`): the help lists them as optparse does.
   */
  readonly subcommands?: readonly CommandSpec[];
  /** argparse: mutually exclusive options (`[--remote | --local]`; using two is a usage error) */
  readonly exclusive?: ReadonlyArray<readonly string[]>;
}

/** A sub-command group (`flux job`, `flux module`): its own usage when no or an unknown sub-command is given. */
export interface GroupSpec {
  readonly kind: 'group';
  readonly path: readonly [string];
  readonly grammar: Grammar;
  readonly prog: string;
  readonly summary: string;
  /**
   * getopt: flux-job's own usage for a missing or unknown sub-command (its
   * `Usage:` line, its options and `Common commands from PROG:`), given the
   * text after the program name on the usage line.
   */
  readonly commonCommandsUsage?: string;
}

/** The name for run-time error lines. */
export function errorName(spec: Pick<CommandSpec, 'prog' | 'errorName'>): string {
  if (spec.errorName !== undefined) return spec.errorName;
  return spec.prog.replace(/^flux /, 'flux-').split(' ')[0]!;
}

/** Check a spec's own consistency (a unit test runs this over every command). */
export function specProblems(spec: CommandSpec): string[] {
  const out: string[] = [];
  const longs = new Set<string>(['help']);
  const shorts = new Set<string>(['h']);
  for (const o of spec.options) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(o.name)) out.push(`--${o.name}: not a valid long option name`);
    if (longs.has(o.name)) out.push(`--${o.name}: declared twice`);
    longs.add(o.name);
    if (o.short !== undefined) {
      if (!/^[A-Za-z0-9]$/.test(o.short)) out.push(`-${o.short}: not a valid short option`);
      if (shorts.has(o.short)) out.push(`-${o.short}: declared twice`);
      shorts.add(o.short);
    }
    if (o.optionalArg && o.arg === undefined) out.push(`--${o.name}: optionalArg without arg`);
    if (o.description.trim() === '') out.push(`--${o.name}: no description`);
  }
  for (const g of spec.exclusive ?? []) {
    for (const n of g) if (!spec.options.some((o) => o.name === n)) out.push(`exclusive group names unknown option --${n}`);
  }
  return out;
}
