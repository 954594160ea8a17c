/**
 * The one option parser of the `flux` commands, with the two grammars of
 * spec.ts. It returns what was found (ParsedArgs), or throws UsageError (the
 * message without the program name: errors.ts renders it as the grammar's
 * command would) or HelpRequest (`-h`/`--help` met before any error).
 */
import { ParsedArgs } from './parsed';
import type { CommandSpec, OperandSpec, OptionSpec } from './spec';

/** A usage error; `operands` marks a wrong operand count (getopt: the help is printed). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly operands = false,
    /** getopt: liboptparse prints this one without its `Try ... --help` line (a missing argument) */
    readonly bare = false,
  ) {
    super(message);
  }
}

/** liboptparse's line for an option given last without its argument: the word as typed */
const missingArgument = (word: string) => new UsageError(`'${word}' missing argument`, false, true);

/** `-h` or `--help` was given (in the option region, before any error); `--help=TOPIC` where the command takes topics. */
export class HelpRequest extends Error {
  constructor(readonly topic?: string) {
    super('help');
  }
}

const HELP: OptionSpec = { name: 'help', short: 'h', description: '' };

export function parse(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  return spec.grammar === 'getopt' ? parseGetopt(spec, argv) : parseArgparse(spec, argv);
}

// ---------------------------------------------------------------- getopt

/**
 * getopt_long with REQUIRE_ORDER, as Flux's liboptparse: options end at the
 * first operand or at `--`; a long option may be abbreviated to any unique
 * prefix; `-abc` bundles flags, the last of which may take the rest of the
 * word (`-t5`) or the next word (`-t 5`) as its argument.
 *
 * liboptparse runs getopt with its messages off and prints one of its own for
 * every error: `'WORD' missing argument` (the word as typed, no `Try` line)
 * for an option given last without its argument; `unrecognized option '-c'`
 * when getopt names an option (an unknown short one, a long one given an
 * argument it does not take: its short letter), else `unrecognized option
 * 'WORD'` (an unknown or ambiguous long option). Where Flux would print the
 * key of a long option that has no short letter (a meaningless byte), the word
 * is named.
 */
function parseGetopt(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const opts = [HELP, ...spec.options];
  const out = new ParsedArgs();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      i = getoptLong(opts, argv, i, out);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const o = opts.find((x) => x.short === c);
      if (!o) throw new UsageError(`unrecognized option '-${c}'`);
      if (o === HELP) throw new HelpRequest();
      if (o.arg === undefined) {
        out.add(o.name, { value: '', typed: `-${c}` });
        continue;
      }
      const rest = a.slice(j + 1);
      if (o.optionalArg) {
        // `-vvv` counts (Flux's verbose levels), `-v2` and `-Lnever` give a value
        if (rest !== '' && [...rest].every((x) => x === c)) {
          for (let k = 0; k <= rest.length; k++) out.add(o.name, { value: '', typed: `-${c}` });
        } else {
          out.add(o.name, { value: rest, typed: `-${c}${rest}` });
        }
        break;
      }
      if (rest !== '') out.add(o.name, { value: rest, typed: `-${c}${rest}` });
      else if (i + 1 < argv.length) {
        const v = argv[++i]!;
        out.add(o.name, { value: v, typed: `-${c} ${v}` });
      } else throw missingArgument(a);
      break;
    }
  }
  out.operands = argv.slice(i);
  checkGetoptOperands(spec, out.operands);
  return out;
}

/** One `--name[=value]` word at argv[i]; returns the index of the last word used. */
function getoptLong(opts: readonly OptionSpec[], argv: readonly string[], i: number, out: ParsedArgs): number {
  const a = argv[i]!;
  const eq = a.indexOf('=');
  const name = a.slice(2, eq < 0 ? undefined : eq);
  let o = opts.find((x) => x.name === name);
  if (!o) {
    const near = opts.filter((x) => x.name.startsWith(name));
    // unknown, or ambiguous (getopt_long lists the possibilities only with its messages on)
    if (near.length !== 1) throw new UsageError(`unrecognized option '${a}'`);
    o = near[0]!;
  }
  /** what liboptparse names when getopt reports this option */
  const named = `unrecognized option '${o.short !== undefined ? `-${o.short}` : a}'`;
  if (o.arg === undefined && eq >= 0) throw new UsageError(named);
  if (o === HELP) throw new HelpRequest();
  if (o.arg === undefined) {
    out.add(o.name, { value: '', typed: a });
  } else if (eq >= 0) {
    out.add(o.name, { value: a.slice(eq + 1), typed: a });
  } else if (o.optionalArg) {
    out.add(o.name, { value: '', typed: a });
  } else if (i + 1 < argv.length) {
    const v = argv[++i]!;
    out.add(o.name, { value: v, typed: `${a} ${v}` });
  } else {
    throw missingArgument(a);
  }
  return i;
}

/** A C command checks its operand count and prints its usage when it is wrong. */
function checkGetoptOperands(spec: CommandSpec, operands: readonly string[]): void {
  if (spec.freeOperands) return;
  const { min, max } = operandRange(spec.operands ?? []);
  if (operands.length < min || operands.length > max) throw new UsageError('wrong operand count', true);
}

function operandRange(ops: readonly OperandSpec[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const o of ops) {
    if (o.nargs === '1' || o.nargs === '+') min++;
    max += o.nargs === '1' || o.nargs === '?' ? 1 : Infinity;
  }
  return { min, max };
}

// ---------------------------------------------------------------- argparse

/** What argparse makes of one word: an option (maybe with an attached argument), an operand, or `--`. */
type Word = { kind: 'A' } | { kind: '-' } | { kind: 'O'; option?: OptionSpec; flag: string; explicit?: string };

const NEGATIVE = /^-\d+$|^-\d*\.\d+$/;

/** Python's argparse with allow_abbrev=False, as Flux's Python commands parse. */
function parseArgparse(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const opts = [HELP, ...spec.options];
  const byFlag = new Map<string, OptionSpec>();
  for (const o of opts) {
    byFlag.set(`--${o.name}`, o);
    if (o.short !== undefined) byFlag.set(`-${o.short}`, o);
  }
  const classify = (a: string): Word => {
    if (a === '--') return { kind: '-' };
    if (!a.startsWith('-') || a === '-') return { kind: 'A' };
    const exact = byFlag.get(a);
    if (exact) return { kind: 'O', option: exact, flag: a };
    const eq = a.indexOf('=');
    if (eq > 0) {
      const o = byFlag.get(a.slice(0, eq));
      if (o) return { kind: 'O', option: o, flag: a.slice(0, eq), explicit: a.slice(eq + 1) };
    }
    if (!a.startsWith('--')) {
      const o = byFlag.get(a.slice(0, 2));
      if (o) return { kind: 'O', option: o, flag: a.slice(0, 2), explicit: a.slice(2) };
    }
    if (NEGATIVE.test(a) || a.includes(' ')) return { kind: 'A' };
    return { kind: 'O', flag: a };
  };
  // after `--` every word is an operand
  const words: Word[] = [];
  let dashdash = false;
  for (const a of argv) {
    if (dashdash) words.push({ kind: 'A' });
    else {
      const w = classify(a);
      if (w.kind === '-') dashdash = true;
      words.push(w);
    }
  }
  const out = new ParsedArgs();
  const extras: string[] = [];
  const posix = spec.posix || (spec.operands ?? []).some((o) => o.nargs === '...');
  const operandWords: Array<{ word: string; chunk: number }> = [];
  let chunk = 0;
  let i = 0;
  while (i < argv.length) {
    const w = words[i]!;
    if (w.kind !== 'O') {
      if (posix) break;
      // the first `--` only marks the end of the options
      if (w.kind === 'A') operandWords.push({ word: argv[i]!, chunk });
      i++;
      continue;
    }
    chunk++;
    if (!w.option) {
      extras.push(argv[i]!);
      i++;
      continue;
    }
    i = consumeOption(w, argv, words, i, byFlag, out, spec.helpTopics === true);
  }
  if (posix) {
    let rest = argv.slice(i);
    if (rest[0] === '--') rest = rest.slice(1);
    if (extras.length > 0) throw new UsageError(`unrecognized arguments: ${extras.join(' ')}`);
    out.operands = rest;
    checkExclusive(spec, out);
    return out;
  }
  if (spec.freeOperands) {
    if (extras.length > 0) throw new UsageError(`unrecognized arguments: ${extras.join(' ')}`);
    out.operands = operandWords.map((x) => x.word);
    checkExclusive(spec, out);
    return out;
  }
  out.operands = matchOperands(spec.operands ?? [], operandWords, extras);
  checkExclusive(spec, out);
  return out;
}

/** `argument --local: not allowed with argument --remote` */
function checkExclusive(spec: CommandSpec, out: ParsedArgs): void {
  for (const g of spec.exclusive ?? []) {
    const used = g.filter((n) => out.has(n)).sort((a, b) => out.get(a)!.seq! - out.get(b)!.seq!);
    if (used.length > 1) {
      const label = (n: string) => {
        const o = spec.options.find((x) => x.name === n)!;
        return o.short !== undefined ? `-${o.short}/--${o.name}` : `--${o.name}`;
      };
      throw new UsageError(`argument ${label(used[1]!)}: not allowed with argument ${label(used[0]!)}`);
    }
  }
}

/** The option at argv[i] (already classified); returns the index of the next word. */
function consumeOption(w: Extract<Word, { kind: 'O' }>, argv: readonly string[], words: readonly Word[], i: number, byFlag: Map<string, OptionSpec>, out: ParsedArgs, topics: boolean): number {
  let o = w.option!;
  let flag = w.flag;
  let explicit = w.explicit;
  const label = (x: OptionSpec) => (x.short !== undefined ? `-${x.short}/--${x.name}` : `--${x.name}`);
  for (;;) {
    if (o === HELP) {
      if (topics && explicit !== undefined && flag.startsWith('--')) throw new HelpRequest(explicit);
      if (explicit !== undefined && (flag.startsWith('--') || explicit === '')) {
        throw new UsageError(`argument -h/--help: ignored explicit argument '${explicit}'`);
      }
      throw new HelpRequest();
    }
    if (explicit !== undefined) {
      if (o.arg === undefined && !flag.startsWith('--') && explicit !== '') {
        // a bundle of flags: -xv is -x -v
        out.add(o.name, { value: '', typed: flag });
        const next = byFlag.get(`-${explicit[0]}`);
        if (!next) throw new UsageError(`argument ${label(o)}: ignored explicit argument '${explicit}'`);
        if (next === HELP) throw new HelpRequest();
        o = next;
        flag = `-${explicit[0]}`;
        explicit = explicit.length > 1 ? explicit.slice(1) : undefined;
        continue;
      }
      if (o.arg === undefined) throw new UsageError(`argument ${label(o)}: ignored explicit argument '${explicit}'`);
      out.add(o.name, { value: explicit, typed: flag.startsWith('--') ? `${flag}=${explicit}` : `${flag}${explicit}` });
      return i + 1;
    }
    if (o.arg === undefined) {
      out.add(o.name, { value: '', typed: flag });
      return i + 1;
    }
    const next = words[i + 1];
    if (next?.kind === 'A') {
      out.add(o.name, { value: argv[i + 1]!, typed: `${flag} ${argv[i + 1]!}` });
      return i + 2;
    }
    if (o.optionalArg) {
      out.add(o.name, { value: '', typed: flag });
      return i + 1;
    }
    throw new UsageError(`argument ${label(o)}: expected one argument`);
  }
}

/**
 * argparse's operand matching: operands are taken chunk by chunk (the words
 * between two options), each chunk filling as many of the remaining operands
 * as it can, greedily, as argparse's regular expressions do (an operand that may
 * be empty is used up by the first chunk, even with nothing); words no operand
 * takes are unrecognized arguments.
 */
function matchOperands(specs: readonly OperandSpec[], words: ReadonlyArray<{ word: string; chunk: number }>, extras: string[]): string[] {
  const out: string[] = [];
  let pending = [...specs];
  const chunks = new Map<number, string[]>();
  for (const w of words) {
    const l = chunks.get(w.chunk) ?? [];
    l.push(w.word);
    chunks.set(w.chunk, l);
  }
  for (const [, list] of [...chunks].sort((a, b) => a[0] - b[0])) {
    const counts = fill(pending, list.length);
    let k = 0;
    for (const n of counts) {
      out.push(...list.slice(k, k + n));
      k += n;
    }
    pending = pending.slice(counts.length);
    extras.push(...list.slice(k));
  }
  const missing = pending.filter((o) => o.nargs === '1' || o.nargs === '+');
  if (missing.length > 0) throw new UsageError(`the following arguments are required: ${missing.map((o) => o.name).join(', ')}`);
  if (extras.length > 0) throw new UsageError(`unrecognized arguments: ${extras.join(' ')}`);
  return out;
}

const minOf = (o: OperandSpec): number => (o.nargs === '1' || o.nargs === '+' ? 1 : 0);
const maxOf = (o: OperandSpec): number => (o.nargs === '1' || o.nargs === '?' ? 1 : Infinity);

/**
 * How many of `n` words each operand of the longest prefix of `ops` that can
 * match takes (argparse's _match_arguments_partial): left to right, each as many
 * as it may while leaving the minimum of those after it. Empty: none matches.
 */
function fill(ops: readonly OperandSpec[], n: number): number[] {
  for (let len = ops.length; len > 0; len--) {
    const slice = ops.slice(0, len);
    if (slice.reduce((s, o) => s + minOf(o), 0) > n) continue;
    const counts: number[] = [];
    let left = n;
    slice.forEach((o, k) => {
      const after = slice.slice(k + 1).reduce((s, x) => s + minOf(x), 0);
      const take = Math.min(maxOf(o), left - after);
      counts.push(take);
      left -= take;
    });
    return counts;
  }
  return [];
}

