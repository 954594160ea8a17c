/**
 * What a command prints for `--help` and for a usage error, in its grammar's
 * words:
 * - getopt (Flux's C commands): help on stderr; an option error is
 *   `PROG: MESSAGE` and `Try \`PROG --help' for more information.`, a wrong
 *   operand count prints the help; both exit 1.
 * - argparse (Flux's Python commands): help on stdout; a usage error is the
 *   usage line and `PROG: error: MESSAGE`, exit 2.
 */
import { argparseHelp, argparseUsage } from './help-argparse';
import { optparseHelp } from './help-optparse';
import type { UsageError } from './parse';
import type { CommandSpec } from './spec';
import { pyWrap } from './textwrap';

export interface Rendered {
  text: string;
  stream: 'stdout' | 'stderr';
  code: number;
}

export function renderHelp(spec: CommandSpec, topic?: string): Rendered {
  if (spec.grammar === 'getopt') return { text: optparseHelp(spec), stream: 'stderr', code: 0 };
  if (topic !== undefined && topic !== '') return optionHelp(spec, topic);
  return { text: argparseHelp(spec), stream: 'stdout', code: 0 };
}

/** `--help=OPTION`: the option's invocation and its whole description (a usage error for an option the command lacks) */
function optionHelp(spec: CommandSpec, topic: string): Rendered {
  const name = topic.replace(/^-+/, '');
  const o = spec.options.find((x) => x.name === name || x.short === name);
  if (o === undefined) {
    const plugins = spec.options.filter((x) => x.group?.startsWith('Options provided by plugins')).map((x) => x.name);
    return { text: usageErrorText(spec, `--help: no option '${topic}'${plugins.length > 0 ? ` (plugin options: ${plugins.join(', ')})` : ''}`), stream: 'stderr', code: 2 };
  }
  const head = `${o.short !== undefined ? `-${o.short}, ` : ''}--${o.name}${o.arg !== undefined ? `=${o.optionalArg ? `[${o.arg}]` : o.arg}` : ''}`;
  return { text: `${head}\n${pyWrap(o.description ?? '', 76).map((l) => `    ${l}`).join('\n')}\n`, stream: 'stdout', code: 0 };
}

export function renderUsageError(spec: CommandSpec, e: UsageError): Rendered {
  const text = spec.grammar === 'getopt' && e.bare ? `${spec.prog}: ${e.message}\n` : usageErrorText(spec, e.message, e.operands);
  return { text, stream: 'stderr', code: spec.grammar === 'getopt' ? 1 : 2 };
}

/** The text of a usage error (without exiting): for commands that find one after parsing. */
export function usageErrorText(spec: CommandSpec, message: string, operands = false): string {
  if (spec.grammar === 'getopt') {
    if (operands) return optparseHelp(spec);
    return `${spec.prog}: ${message}\nTry \`${spec.prog} --help' for more information.\n`;
  }
  return `usage: ${argparseUsage(spec)}\n${spec.prog}: error: ${message}\n`;
}
