/**
 * `--help` of the commands Flux writes in C, in liboptparse's layout:
 *
 *   Usage: flux-job wait-event [OPTIONS] id event
 *   Wait for an event
 *     -h, --help             Display this message.
 *     -t, --timeout=DURATION timeout after DURATION
 *         --show-status      ...
 *
 * The option column is 25 wide (spec.optionWidth), descriptions are filled to
 * the terminal width (COLUMNS, 80 by default) and continue under the column; an
 * option too wide for the column puts its description on the next line.
 */
import type { CommandSpec, OptionSpec } from './spec';
import { optparseSegments } from './textwrap';

/** liboptparse's get_term_columns(): COLUMNS when sane, else 80. */
export function optparseColumns(env: NodeJS.ProcessEnv = process.env): number {
  const v = env['COLUMNS'];
  const n = v !== undefined && /^-?\d+$/.test(v) ? Number(v) : 80;
  return n >= 256 || n <= 16 ? 80 : n;
}

export const HELP_LINE: OptionSpec = { name: 'help', short: 'h', description: 'Display this message.' };

/** `  -t, --timeout=DURATION` or `      --tail=NUM`: liboptparse prints the metavar as given, optional or not */
function invocation(o: OptionSpec): string {
  const arg = o.arg === undefined ? '' : `=${o.arg}`;
  return o.short !== undefined ? `  -${o.short}, --${o.name}${arg}` : `      --${o.name}${arg}`;
}

export function optionLines(o: OptionSpec, width: number, columns: number): string[] {
  const info = invocation(o);
  const segs = optparseSegments(o.description, columns - width);
  const first = segs[0] ?? '';
  const out = info.length < width ? [info.padEnd(width) + first] : [info, ' '.repeat(width) + first];
  for (const s of segs.slice(1)) out.push(' '.repeat(width) + s);
  return out;
}

/** The `Usage:` line alone. */
export function optparseUsageLine(spec: CommandSpec): string {
  return `Usage: ${spec.prog} ${spec.usage ?? '[OPTIONS]...'}`;
}

/** The `Usage:` line, or with sub-commands optparse's `Usage: ... / or: ...` lines. */
function usageLines(spec: CommandSpec): string[] {
  const subs = spec.subcommands ?? [];
  if (subs.length === 0) return [optparseUsageLine(spec)];
  const out = spec.usage !== undefined ? [optparseUsageLine(spec)] : [];
  for (const s of subs) out.push(`${out.length === 0 ? 'Usage' : '   or'}: ${s.prog} ${s.usage ?? '[OPTIONS]'}`);
  return out;
}

/** The whole help text (ends with a newline). */
export function optparseHelp(spec: CommandSpec, columns = optparseColumns()): string {
  const width = spec.optionWidth ?? 25;
  const lines = usageLines(spec);
  if (spec.docLine) lines.push(...optparseSegments(spec.summary, columns));
  for (const o of [HELP_LINE, ...spec.options]) {
    if (!o.hidden) lines.push(...optionLines(o, width, columns));
  }
  if (spec.epilog !== undefined) lines.push(spec.epilog);
  return lines.join('\n') + '\n';
}
