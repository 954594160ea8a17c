/**
 * What the parser found on a command line: each option's occurrences (value and
 * how the user typed it, for error messages that repeat it) in the order given,
 * and the operands.
 */

export interface Occurrence {
  /** the value ('' for a flag, or an optional argument not given) */
  value: string;
  /** the option as typed, e.g. `-N0`, `-N 0`, `--nodes=0` */
  typed: string;
  /** position among all occurrences (set by add) */
  seq?: number;
}

export class ParsedArgs {
  readonly opts = new Map<string, Occurrence[]>();
  /** the operands, in order (for a posix command, the command line after the options) */
  operands: string[] = [];

  private n = 0;

  add(name: string, occ: Occurrence): void {
    occ.seq = this.n++;
    let l = this.opts.get(name);
    if (!l) this.opts.set(name, (l = []));
    l.push(occ);
  }

  /** the last occurrence of an option */
  get(name: string): Occurrence | undefined {
    const l = this.opts.get(name);
    return l ? l[l.length - 1] : undefined;
  }

  all(name: string): Occurrence[] {
    return this.opts.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.opts.has(name);
  }

  /** how many times an option was given (-vvv: 3) */
  count(name: string): number {
    return this.all(name).length;
  }

  /** the last value of an option, or `dflt` */
  str(name: string): string | undefined;
  str(name: string, dflt: string): string;
  str(name: string, dflt?: string): string | undefined {
    return this.get(name)?.value ?? dflt;
  }

  /** every value of a repeatable option, in order */
  values(name: string): string[] {
    return this.all(name).map((o) => o.value);
  }
}
