/**
 * The options flux-kvs sub-commands share (one object each, so the option
 * coverage table lists each once) and the spec builder. Only the primary
 * namespace exists in flux-ts: another name is refused by KvsCommand.
 */
import type { CommandSpec, OperandSpec, OptionSpec } from '../../options';

export const NAMESPACE: OptionSpec = { name: 'namespace', short: 'N', arg: 'NAME', description: 'Specify KVS namespace to use (flux-ts has only "primary")' };
export const RAW: OptionSpec = { name: 'raw', short: 'r', description: 'Values are raw bytes: printed without an added newline (get), read from stdin for "-" (put)' };
export const WATCH: OptionSpec = { name: 'watch', short: 'w', description: 'Print the value, then each change, until --count changes or interrupted' };
export const WAITCREATE: OptionSpec = { name: 'waitcreate', short: 'W', description: 'With --watch, wait for the key to be created' };
export const COUNT: OptionSpec = { name: 'count', short: 'c', arg: 'COUNT', description: 'With --watch, stop after COUNT values' };
export const RECURSIVE: OptionSpec = { name: 'recursive', short: 'R', description: 'Recursively descend into directories' };
export const WIDTH: OptionSpec = { name: 'width', short: 'w', arg: 'COLS', description: 'Fit output to COLS columns (0: no limit)' };
export const UNFORMATTED: OptionSpec = { name: 'unformatted', short: 'u', description: 'Print each event as its JSON entry' };
export const HUMAN: OptionSpec = { name: 'human', short: 'H', description: 'Print timestamps as human readable dates and offsets' };
export const SRC_NS: OptionSpec = { name: 'src-namespace', short: 'S', arg: 'NAME', description: 'Namespace of the source key (flux-ts has only "primary")' };
export const DST_NS: OptionSpec = { name: 'dst-namespace', short: 'D', arg: 'NAME', description: 'Namespace of the destination key (flux-ts has only "primary")' };

/** A flux-kvs sub-command's spec: `Usage: flux-kvs WORDS USAGE`, its summary below, its options. */
export function kvsSpec(words: string[], summary: string, usage: string, options: OptionSpec[], operands: OperandSpec[]): CommandSpec {
  return { path: ['kvs', ...words], grammar: 'getopt', prog: `flux-kvs ${words.join(' ')}`, summary, docLine: true, usage, options, operands };
}
