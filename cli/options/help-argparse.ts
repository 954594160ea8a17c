/**
 * `--help` and the usage line of the commands Flux writes in Python, in the
 * layout of argparse with Flux's help formatter (flux.util.help_formatter):
 *
 *   usage: flux-jobs [-h] [-a] [-A] [-n] [-u USER] ...
 *
 *   List jobs submitted to Flux
 *
 *   positional arguments:
 *     JOBID                 ...
 *
 *   options:
 *     -h, --help            show this help message and exit
 *     -u, --user=USER       ...
 *         --json            ...
 *
 * Width: the terminal's (COLUMNS, else the tty, else 80) less 2; the help
 * column is at most 40; long usage lines wrap as argparse wraps them.
 */
import type { CommandSpec, OperandSpec, OptionSpec } from './spec';
import { pySplitLines, pyWrap } from './textwrap';

const HELP: OptionSpec = { name: 'help', short: 'h', description: 'show this help message and exit' };
const MAX_HELP_POSITION = 40;

/** shutil.get_terminal_size().columns - 2 */
export function argparseWidth(env: NodeJS.ProcessEnv = process.env, out: { columns?: number; isTTY?: boolean } = process.stdout): number {
  const v = Number(env['COLUMNS']);
  const cols = Number.isInteger(v) && v > 0 ? v : out.isTTY && out.columns ? out.columns : 80;
  return cols - 2;
}

const metavar = (o: OptionSpec): string => o.arg ?? o.name.toUpperCase().replace(/-/g, '_');

function operandArgs(a: OperandSpec): string {
  switch (a.nargs) {
    case '1':
      return a.name;
    case '?':
      return `[${a.name}]`;
    case '*':
      return `[${a.name} ...]`;
    case '+':
      return `${a.name} [${a.name} ...]`;
    case '...':
      return '...';
  }
}

/** One option in the usage line: `-a`, `[-u USER]`, `[-L [WHEN]]`. */
function usagePart(o: OptionSpec): string {
  const flag = o.short !== undefined ? `-${o.short}` : `--${o.name}`;
  if (o.arg === undefined) return flag;
  return `${flag} ${o.optionalArg ? `[${metavar(o)}]` : metavar(o)}`;
}

/** The option parts of the usage line, mutually exclusive groups as `[-a | -b]`. */
function optionParts(spec: CommandSpec): string[] {
  const parts: string[] = [];
  const grouped = new Map<string, readonly string[]>();
  for (const g of spec.exclusive ?? []) for (const n of g) grouped.set(n, g);
  const done = new Set<string>();
  for (const o of [HELP, ...spec.options]) {
    if (o.hidden || done.has(o.name)) continue;
    const g = grouped.get(o.name);
    if (g) {
      const members = g.map((n) => spec.options.find((x) => x.name === n)!);
      for (const m of members) done.add(m.name);
      parts.push(`[${members.map(usagePart).join(' | ')}]`);
    } else parts.push(`[${usagePart(o)}]`);
  }
  return parts;
}

/** The usage text after `usage: ` (wrapped as argparse wraps it when too long). */
export function argparseUsage(spec: CommandSpec, width = argparseWidth()): string {
  if (spec.usage !== undefined) return spec.usage;
  const prefix = 'usage: ';
  const prog = spec.prog;
  const opts = optionParts(spec);
  const pos = (spec.operands ?? []).map(operandArgs);
  const full = [prog, ...opts, ...pos].join(' ');
  const textWidth = width;
  if (prefix.length + full.length <= textWidth) return full;
  const lines = (parts: readonly string[], indent: string, first?: string): string[] => {
    const out: string[] = [];
    let line: string[] = [];
    let len = first !== undefined ? first.length - 1 : indent.length - 1;
    for (const p of parts) {
      if (len + 1 + p.length > textWidth && line.length > 0) {
        out.push(indent + line.join(' '));
        line = [];
        len = indent.length - 1;
      }
      line.push(p);
      len += p.length + 1;
    }
    if (line.length > 0) out.push(indent + line.join(' '));
    if (first !== undefined && out.length > 0) out[0] = out[0]!.slice(indent.length);
    return out;
  };
  let out: string[];
  if (prefix.length + prog.length <= 0.75 * textWidth) {
    const indent = ' '.repeat(prefix.length + prog.length + 1);
    if (opts.length > 0) {
      out = lines([prog, ...opts], indent, prefix);
      out.push(...lines(pos, indent));
    } else if (pos.length > 0) out = lines([prog, ...pos], indent, prefix);
    else out = [prog];
  } else {
    const indent = ' '.repeat(prefix.length);
    const parts = [...opts, ...pos];
    out = lines(parts, indent);
    if (out.length > 1) {
      out = [];
      out.push(...lines(opts, indent));
      out.push(...lines(pos, indent));
    }
    out = [prog, ...out];
  }
  return out.join('\n');
}

/** `-u, --user=USER`, `    --json`, `JOBID` */
function invocation(o: OptionSpec): string {
  const flags = o.short !== undefined ? `-${o.short}, --${o.name}` : `    --${o.name}`;
  if (o.arg === undefined) return flags;
  return `${flags}=${o.optionalArg ? `[${metavar(o)}]` : metavar(o)}`;
}

interface Item {
  head: string;
  help?: string;
}

function section(title: string, items: readonly Item[], width: number, helpPosition: number): string[] {
  const out = [`${title}:`];
  const helpWidth = Math.max(width - helpPosition, 11);
  const actionWidth = helpPosition - 2 - 2;
  for (const it of items) {
    if (it.help === undefined || it.help.trim() === '') {
      out.push(`  ${it.head}`);
      continue;
    }
    const lines = pySplitLines(it.help, helpWidth);
    if (it.head.length <= actionWidth) out.push(`  ${it.head.padEnd(actionWidth)}  ${lines[0] ?? ''}`);
    else out.push(`  ${it.head}`, ' '.repeat(helpPosition) + (lines[0] ?? ''));
    for (const l of lines.slice(1)) out.push(' '.repeat(helpPosition) + l);
  }
  return out;
}

/** The whole help text (ends with a newline). */
export function argparseHelp(spec: CommandSpec, width = argparseWidth()): string {
  const operands: Item[] = (spec.operands ?? []).map((a) => ({ head: a.nargs === '...' ? a.name : a.name, help: a.description }));
  // Flux's submission commands show --help=[TOPIC] (an option's whole description with OPTION)
  const help = spec.helpTopics ? { head: '-h, --help=[TOPIC]', help: 'show this help message and exit; --help=OPTION: the whole description of OPTION' } : { head: invocation(HELP), help: HELP.description };
  const groups = new Map<string, Item[]>([['options', [help]]]);
  for (const o of spec.options) {
    if (o.hidden) continue;
    const title = o.group ?? 'options';
    const l = groups.get(title) ?? [];
    l.push({ head: invocation(o), help: o.description });
    groups.set(title, l);
  }
  const all = [...operands, ...[...groups.values()].flat()];
  const maxLen = Math.max(...all.map((i) => i.head.length + 2));
  const helpPosition = Math.min(maxLen + 2, Math.min(spec.maxHelpPosition ?? MAX_HELP_POSITION, Math.max(width - 20, 4)));
  const blocks: string[][] = [[`usage: ${argparseUsage(spec, width)}`]];
  blocks.push(pyWrap(spec.summary.replace(/\s+/g, ' ').trim(), width));
  if (operands.length > 0) blocks.push(section('positional arguments', operands, width, helpPosition));
  for (const [title, items] of groups) blocks.push(section(title, items, width, helpPosition));
  if (spec.epilog !== undefined) blocks.push(pyWrap(spec.epilog.replace(/\s+/g, ' ').trim(), width));
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}
