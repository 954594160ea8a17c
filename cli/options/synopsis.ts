/**
 * A command's line in its man page's SYNOPSIS: its usage line without the
 * `Usage: `/`usage: ` prefix and unwrapped (the first line of the options
 * block man.ts generates for the page).
 */
import { argparseUsage } from './help-argparse';
import type { CommandSpec } from './spec';

export function synopsis(spec: CommandSpec): string {
  if (spec.grammar === 'getopt') return `${spec.prog} ${spec.usage ?? '[OPTIONS]...'}`.trimEnd();
  return argparseUsage(spec, Infinity);
}
