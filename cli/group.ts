/**
 * A command word made of sub-commands (`flux job`, `flux module`, `flux
 * resource`): what it prints for `--help`, and when the sub-command is missing
 * or unknown, generated from the sub-commands' specs (and the group's own spec,
 * `group.ts` in the command's folder, for its summary and style).
 */
import type { CommandSpec, GroupSpec, Rendered } from './options';
import { HELP_LINE, optionLines, optparseColumns } from './options/help-optparse';

export function isGroupSpec(v: unknown): v is GroupSpec {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'group';
}

function resolve(word: string, group: GroupSpec | undefined, subs: readonly CommandSpec[]): GroupSpec {
  if (group) return group;
  const first = subs[0];
  return {
    kind: 'group',
    path: [word],
    grammar: first?.grammar ?? 'getopt',
    prog: first ? first.prog.split(' ')[0]! : `flux-${word}`,
    summary: '',
  };
}

const names = (subs: readonly CommandSpec[]): string[] => subs.map((s) => s.path.slice(1).join(' ')).sort();

/** the sub-commands one level down (`flux kvs eventlog`, not `flux kvs eventlog get`) */
const direct = (subs: readonly CommandSpec[]): CommandSpec[] => subs.filter((s) => s.path.length === 2);

/** `flux WORD --help`: the sub-commands and what each does. */
export function groupHelp(word: string, _group: GroupSpec | undefined, all: readonly CommandSpec[]): Rendered {
  const subs = direct(all);
  const rows = [...subs].sort((a, b) => (a.path.join(' ') < b.path.join(' ') ? -1 : 1)).map((s) => [s.path.slice(1).join(' '), s.summary] as const);
  const width = Math.max(...rows.map((r) => r[0].length), 8);
  const text =
    `Usage: flux ${word} SUBCOMMAND [OPTIONS]\n\nSubcommands:\n` +
    rows.map(([n, d]) => `  ${n.padEnd(width)}  ${d}`).join('\n') +
    `\n\nRun \`flux ${word} SUBCOMMAND --help\` for the options of one.\n`;
  return { text, stream: 'stdout', code: 0 };
}

/** A missing (sub undefined) or unknown sub-command: the grammar's usage error. */
export function groupUsageError(word: string, group: GroupSpec | undefined, all: readonly CommandSpec[], sub: string | undefined): Rendered {
  const subs = direct(all);
  const g = resolve(word, group, subs);
  const list = names(subs);
  if (g.grammar === 'argparse') {
    const what =
      sub === undefined
        ? 'the following arguments are required: subcommand'
        : `argument subcommand: invalid choice: '${sub}' (choose from ${list.map((n) => `'${n}'`).join(', ')})`;
    return { text: `usage: ${g.prog} [-h] {${list.join(',')}} ...\n${g.prog}: error: ${what}\n`, stream: 'stderr', code: 2 };
  }
  if (g.commonCommandsUsage !== undefined) {
    // flux-job's usage(): no message, the same text for a missing and an unknown sub-command
    const rows = [...subs].sort((a, b) => (a.path.join(' ') < b.path.join(' ') ? -1 : 1)).map((s) => `   ${s.path.slice(1).join(' ').padEnd(15)} ${s.summary}`);
    const text = `Usage: ${g.prog} ${g.commonCommandsUsage}\n${optionLines(HELP_LINE, 25, optparseColumns()).join('\n')}\n\nCommon commands from ${g.prog}:\n${rows.join('\n')}\n`;
    return { text, stream: 'stderr', code: 1 };
  }
  const what = sub === undefined ? 'missing subcommand' : `Unknown subcommand: ${sub}`;
  const bySub = new Map(subs.map((s) => [s.path.slice(1).join(' '), s.summary]));
  const width = Math.max(...list.map((n) => n.length), 7);
  const rows = list.map((n) => `  ${n.padEnd(width)}  ${bySub.get(n) ?? ''}`);
  return { text: `${g.prog}: ${what}\nUsage: ${g.prog} COMMAND [OPTIONS]\n${rows.join('\n')}\n`, stream: 'stderr', code: 1 };
}
