/**
 * flux bulksubmit: one job per input (`:::` args, `::::` files, stdin lines by
 * default), with Python-format substitutions `{}` `{0}` `{.%}` `{./}` `{./%}`
 * `{.//}` `{seq}` `{seq1}` `{cc}` (formats.md §5.2; cli/jobspec/bulk-format.ts).
 */
import { listPlugins } from '../jobspec/shape-options';
import * as fs from 'node:fs';
import { FluxCommand } from '../base-command';
import { COMMON_OPTIONS, SUBMIT_OPTIONS, SubmitOptionError, buildSubmission, submissionSpec } from '../jobspec';
import { followOpts, submitAll, type Pending } from '../jobspec/submit-jobs';
import { ParsedArgs } from '../options/parsed';
import { ReplacementError, bulkFormat, pyRepr } from '../jobspec/bulk-format';
import { ExprError, ExprSyntaxError, compileMethod, type DefinedMethod } from '../jobspec/py-expr';
import { FormatError } from '../../lib/formats/output-format';
import { idset } from '../../lib/formats';

/**
 * The options whose values are substituted too, in the order Flux's dry-run
 * and --verbose lines show them (flag and value joined as shown). `env` stands
 * for --env, --env-remove (-RULE) and --env-file (^FILE) together, as in Flux.
 */
const MUTABLE: ReadonlyArray<[string, string]> = [
  ['queue', '-q'],
  ['ntasks', '-n'],
  ['nodes', '-N'],
  ['cores-per-task', '-c'],
  ['gpus-per-task', '-g'],
  ['cores', '--cores='],
  ['tasks-per-node', '--tasks-per-node='],
  ['tasks-per-core', '--tasks-per-core='],
  ['gpus-per-node', '--gpus-per-node='],
  ['time-limit', '-t'],
  ['env', '--env='],
  ['urgency', '--urgency='],
  ['setopt', '-o '],
  ['setattr', '--setattr='],
  ['job-name', '--job-name='],
  ['input', '--input='],
  ['output', '--output='],
  ['error', '--error='],
  ['cc', '--cc='],
  ['bcc', '--bcc='],
  ['log', '--log='],
  ['log-stderr', '--log-stderr='],
  ['dependency', '--dependency='],
  ['taskmap', '--taskmap='],
  ['requires', '--requires='],
  ['wait-event', '--wait-event='],
];
/** Flux keeps these as lists (shown as Python prints one) */
const LISTS = new Set(['env', 'setopt', 'setattr', 'dependency', 'requires']);
const MUTABLE_NAMES = new Set([...MUTABLE.map(([n]) => n), 'env-remove', 'env-file']);
/** how an env-remove or env-file value reads in Flux's env list */
const ENV_MARK: Record<string, string> = { env: '', 'env-remove': '-', 'env-file': '^' };

/** One job of the bulk: its options and command with the inputs substituted. */
interface Formatted {
  p: ParsedArgs;
  /** the `bulksubmit: submit ...` text */
  line: string;
}

/** how many jobs one formatted job makes: the ids of its --cc or --bcc, else one */
function copies(p: ParsedArgs): number {
  const cc = p.str('cc') ?? p.str('bcc');
  if (cc === undefined) return 1;
  try {
    return Math.max(1, idset.count(cc));
  } catch {
    return 1;
  }
}

/**
 * The copies of one formatted job: one per id of its --cc (FLUX_JOB_CC set) or
 * --bcc, {cc} in its options and command replaced by the id (the second pass
 * of Flux's substitution); the job itself when it has neither.
 */
function ccCopies(p: ParsedArgs): Array<{ p: ParsedArgs; prefix: string; env: NodeJS.ProcessEnv }> {
  const cc = p.get('cc') ?? p.get('bcc');
  if (!cc) return [{ p, prefix: '', env: process.env }];
  if (p.has('cc') && p.has('bcc')) throw new SubmitOptionError('specify only one of --cc or --bcc');
  let ids: number[];
  try {
    ids = idset.decode(cc.value);
  } catch (e) {
    throw new SubmitOptionError(`${cc.typed}: invalid idset: ${(e as Error).message}`);
  }
  if (ids.length === 0) throw new SubmitOptionError(`${cc.typed}: empty idset`);
  const base = { ...process.env };
  return ids.map((id) => {
    const sub = (v: string) => v.split('{cc}').join(String(id));
    const copy = new ParsedArgs();
    const occs = [...p.opts.entries()].flatMap(([name, l]) => l.map((o) => ({ name, o }))).sort((a, b) => a.o.seq! - b.o.seq!);
    for (const { name, o } of occs) copy.add(name, { value: sub(o.value), typed: sub(o.typed) });
    copy.operands = p.operands.map(sub);
    return { p: copy, prefix: `cc=${id}: `, env: p.has('cc') ? { ...base, FLUX_JOB_CC: String(id) } : process.env };
  });
}

/** the backslash escapes Python's unicode_escape decodes in --sep */
function unescape(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' };
  return s.replace(/\\([ntr0\\])/g, (_, c: string) => map[c]!);
}

/** Fisher-Yates, so every order is as likely */
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export class BulksubmitCommand extends FluxCommand {
  static override spec = submissionSpec('bulksubmit', 'Submit jobs in bulk to a Flux instance', 'flux bulksubmit [OPTIONS...] COMMAND [ARGS...]', [
    ...COMMON_OPTIONS,
    ...SUBMIT_OPTIONS,
    { name: 'sep', arg: 'STRING', default: '\\n', description: 'Change separator for file input (default=\\n, "none" splits on whitespace)' },
    { name: 'shuffle', description: 'Shuffle list of commands before submission' },
    {
      name: 'define',
      arg: 'NAME=CODE',
      repeatable: true,
      description: "Define a named method for transforming any input, accessible via e.g. '{0.NAME}'. (local variable 'x' will contain the input string to be transformed)",
    },
  ]);

  async run(): Promise<number> {
    const parsed = this.args;
    if (parsed.has('list-plugins')) return listPlugins();
    const methods = this.methods(parsed);
    // split the command from ::: / :::: input groups
    const cmd: string[] = [];
    const groups: Array<{ values: string[]; link: boolean }> = [];
    const words = parsed.operands;
    let i = 0;
    while (i < words.length && !/^::::?\+?$/.test(words[i]!)) cmd.push(words[i++]!);
    // escapes in --sep are decoded (--sep='\t'), as Flux does; "none" splits on white space
    const sep = unescape(parsed.get('sep')?.value ?? '\n');
    const splitText = (t: string) => (sep.toLowerCase() === 'none' ? t.split(/\s+/) : t.split(sep)).filter((x) => x.length > 0);
    while (i < words.length) {
      const marker = words[i++]!;
      const values: string[] = [];
      while (i < words.length && !/^::::?\+?$/.test(words[i]!)) values.push(words[i++]!);
      const link = marker.endsWith('+');
      if (marker.startsWith('::::')) {
        const all: string[] = [];
        for (const f of values) all.push(...splitText(fs.readFileSync(f === '-' ? 0 : f, 'utf8')));
        groups.push({ values: all, link });
      } else groups.push({ values, link });
    }
    if (groups.length === 0) groups.push({ values: splitText(fs.readFileSync(0, 'utf8')), link: false });
    // every combination of the plain groups; a linked group's values (cycled) go in at its place
    let tuples: string[][] = [[]];
    for (const g of groups) if (!g.link) tuples = tuples.flatMap((t) => g.values.map((v) => [...t, v]));
    groups.forEach((g, at) => {
      if (g.link) tuples.forEach((t, k) => t.splice(at, 0, g.values[k % g.values.length] ?? ''));
    });
    // the inputs' order fixes {seq}; --shuffle reorders the jobs made from them
    const formatted = tuples.map((t, seq) => this.formatJob(parsed, cmd.length > 0 ? cmd : ['{}'], t, seq, methods));
    if (parsed.has('shuffle')) shuffle(formatted);
    const total = formatted.reduce((n, f) => n + copies(f.p), 0);
    if (total === 0) this.fail('no jobs provided for bulk submission');
    const dry = parsed.has('dry-run');
    if (dry && parsed.has('progress')) process.stdout.write(`bulksubmit: submitting a total of ${total} jobs\n`);
    const jobs: Pending[] = [];
    try {
      for (const f of formatted) {
        if (dry || parsed.has('verbose')) process.stdout.write(`bulksubmit: submit ${f.line}\n`);
        if (!dry) for (const c of ccCopies(f.p)) jobs.push({
              prefix: c.prefix,
              sub: buildSubmission(c.p, { command: 'bulksubmit', env: c.env }),
              log: c.p.get('log')?.value,
              logStderr: c.p.get('log-stderr')?.value,
            });
      }
    } catch (e) {
      if (e instanceof SubmitOptionError) this.fail(e.message);
      throw e;
    }
    if (dry) return 0;
    const h = await this.connect();
    return submitAll(h, jobs, { ...followOpts(parsed, false), prog: this.prog });
  }

  /** The options and command of the job for input tuple `t` (number `seq`), as Flux's Xcmd makes them. */
  /** the --define methods, each CODE parsed up front (Flux compiles them before reading the inputs) */
  private methods(parsed: ParsedArgs): Map<string, DefinedMethod> {
    const out = new Map<string, DefinedMethod>();
    for (const o of parsed.all('define')) {
      const eq = o.value.indexOf('=');
      if (eq <= 0) this.fail(`--define=${o.value}: expected NAME=CODE`);
      const code = o.value.slice(eq + 1);
      try {
        out.set(o.value.slice(0, eq), compileMethod(code));
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw e;
        this.fail(`--define=${o.value}: flux-ts cannot evaluate '${code}' (it runs no Python: only x, numbers, strings, True, False, + - * / // % **, comparisons, in, not, and, or, A if C else B, int float str len abs round min max, str methods and [i]/[a:b])`);
      }
    }
    return out;
  }

  private formatJob(parsed: ParsedArgs, cmd: readonly string[], t: readonly string[], seq: number, methods: ReadonlyMap<string, DefinedMethod>): Formatted {
    const kw = { seq, seq1: seq + 1, cc: '{cc}', methods };
    const p = new ParsedArgs();
    const occs = [...parsed.opts.entries()].flatMap(([name, l]) => l.map((o) => ({ name, o }))).sort((a, b) => a.o.seq! - b.o.seq!);
    const changed = new Set<string>();
    for (const { name, o } of occs) {
      if (!MUTABLE_NAMES.has(name)) {
        p.add(name, { value: o.value, typed: o.typed });
        continue;
      }
      const flag = MUTABLE.find(([n]) => n === name)?.[1] ?? `--${name}=`;
      let value: string;
      try {
        value = bulkFormat(o.value, t, kw);
      } catch (e) {
        if (e instanceof ReplacementError && e.kind === 'index') this.fail(`Invalid replacement index in ${flag}${o.value}'`);
        if (e instanceof ReplacementError) this.fail(`Replacement key ${e.message} not found in '${flag}${o.value}'`);
        if (e instanceof FormatError || e instanceof ExprError) this.fail(e.message);
        throw e;
      }
      if (value !== o.value || name === 'cc') changed.add(name in ENV_MARK ? 'env' : name);
      const typed = o.typed.endsWith(o.value) ? o.typed.slice(0, o.typed.length - o.value.length) + value : o.typed;
      p.add(name, { value, typed });
    }
    p.operands = cmd.map((w) => {
      try {
        return bulkFormat(w, t, kw);
      } catch (e) {
        if (e instanceof ReplacementError) this.fail(`Invalid replacement string in command: '${w}'`);
        if (e instanceof FormatError || e instanceof ExprError) this.fail(e.message);
        throw e;
      }
    });
    const shown: string[] = [];
    for (const [name, flag] of MUTABLE) {
      if (!changed.has(name)) continue;
      const values =
        name === 'env'
          ? [...p.all('env'), ...p.all('env-remove').map((o) => ({ ...o, value: '-' + o.value })), ...p.all('env-file').map((o) => ({ ...o, value: '^' + o.value }))]
              .sort((a, b) => a.seq! - b.seq!)
              .map((o) => o.value)
          : p.values(name);
      if (LISTS.has(name)) shown.push(`${flag}[${values.map(pyRepr).join(', ')}]`);
      else if (values.at(-1)) shown.push(`${flag}${values.at(-1)!}`);
    }
    return { p, line: [...shown, ...p.operands].join(' ') };
  }
}
