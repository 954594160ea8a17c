/**
 * A command's line in its man page's SYNOPSIS: its usage line without the
 * `Usage: `/`usage: ` prefix and unwrapped (scripts/gen-man-synopsis.js writes
 * them; test/unit/cli/docs-options.test.ts checks them).
 */
import { argparseUsage } from './help-argparse';
import type { CommandSpec } from './spec';

export function synopsis(spec: CommandSpec): string {
  if (spec.grammar === 'getopt') return `${spec.prog} ${spec.usage ?? '[OPTIONS]...'}`;
  return argparseUsage(spec, Infinity);
}
