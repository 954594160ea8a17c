/**
 * The base of the `flux R` sub-commands (Flux's flux-R, a C command): R sets
 * read from stdin (or, a flux-ts addition, from FILE operands where the
 * sub-command takes them), one R written per line on stdout, errors as
 * `flux-R: msg`.
 */
import * as fs from 'node:fs';
import { FluxCommand } from '../base-command';
import type { CommandSpec, OperandSpec, OptionSpec } from '../options';
import { rsetsFromText, rsetText } from './r-json';
import { union, type RSet } from './rset';

/** The spec of `flux R SUB`. */
export function rSpec(sub: string, summary: string, options: readonly OptionSpec[] = [], usage = '', operands: readonly OperandSpec[] = []): CommandSpec {
  return { path: ['R', sub], grammar: 'getopt', prog: `flux-R ${sub}`, summary, docLine: true, usage, options, operands };
}

/** The spec of a `flux R SUB` that reads R from its FILE operands, or stdin without them (or for `-`). */
export function rFilesSpec(sub: string, summary: string, options: readonly OptionSpec[] = []): CommandSpec {
  const usage = options.length > 0 ? '[OPTIONS]... [FILE...]' : '[FILE...]';
  return { ...rSpec(sub, summary, options, usage, [{ name: 'FILE', nargs: '*' }]), freeOperands: true };
}

export abstract class RCommand extends FluxCommand {
  /** Every R of the FILE operands (a rFilesSpec command) or of stdin, at least one. */
  protected readSets(): RSet[] {
    const files = this.spec.operands?.[0]?.name === 'FILE' ? this.args.operands : [];
    const sets = (files.length > 0 ? files : ['-']).flatMap((f) => this.readFile(f));
    if (sets.length === 0) this.fail(`Failed to read an R object: no R on ${files.length > 0 ? files.join(', ') : 'stdin'}`);
    return sets;
  }

  private readFile(file: string): RSet[] {
    const name = file === '-' ? 'stdin' : file;
    let text: string;
    try {
      text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.fail(`${name}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message}`);
    }
    try {
      return rsetsFromText(text);
    } catch (e) {
      this.fail(`Failed to decode R on ${name}: ${(e as Error).message}`);
    }
  }

  /** The sets of stdin folded left to right with fn, refused below min sets (`diff requires at least 2 resource sets`). */
  protected fold(name: string, min: number, fn: (a: RSet, b: RSet) => RSet): RSet {
    const sets = this.readSets();
    if (sets.length < min) this.fail(`${name} requires at least ${min} resource sets`);
    return this.attempt(() => sets.slice(1).reduce(fn, sets[0]!));
  }

  /** The union of every R on stdin. */
  protected unionAll(): RSet {
    return this.fold('union', 1, union);
  }

  /** fn's result, or its one-line Error as this command's failure. */
  protected attempt<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  protected print(s: RSet): void {
    process.stdout.write(rsetText(s) + '\n');
  }
}
