/**
 * The options flux-kvs sub-commands share (one object each, so the option
 * coverage table lists each once) and the spec builder. The namespace a
 * command uses (-N, FLUX_KVS_NAMESPACE) is KvsCommand's.
 */
import type { CommandSpec, OperandSpec, OptionSpec } from '../../options';

export const NAMESPACE: OptionSpec = { name: 'namespace', short: 'N', arg: 'NAME', description: 'Specify KVS namespace to use.' };
export const RAW: OptionSpec = { name: 'raw', short: 'r', description: 'Values are raw bytes: printed without an added newline (get), read from stdin for "-" (put)' };
export const WATCH: OptionSpec = { name: 'watch', short: 'w', description: 'Print the value, then each change, until --count changes or interrupted' };
export const WAITCREATE: OptionSpec = { name: 'waitcreate', short: 'W', description: 'With --watch, wait for the key to be created' };
export const COUNT: OptionSpec = { name: 'count', short: 'c', arg: 'COUNT', description: 'With --watch, stop after COUNT values' };
export const RECURSIVE: OptionSpec = { name: 'recursive', short: 'R', description: 'Recursively descend into directories' };
export const WIDTH: OptionSpec = { name: 'width', short: 'w', arg: 'COLS', description: 'Fit output to COLS columns (0: no limit)' };
export const UNFORMATTED: OptionSpec = { name: 'unformatted', short: 'u', description: 'Print each event as its JSON entry' };
export const HUMAN: OptionSpec = { name: 'human', short: 'H', description: 'Print timestamps as human readable dates and offsets' };
export const SRC_NS: OptionSpec = { name: 'src-namespace', short: 'S', arg: 'NAME', description: "Specify source key's namespace" };
export const DST_NS: OptionSpec = { name: 'dst-namespace', short: 'D', arg: 'NAME', description: "Specify destination key's namespace" };

/** A flux-kvs sub-command's spec: `Usage: flux-kvs WORDS USAGE`, its summary below, its options. */
export function kvsSpec(words: string[], summary: string, usage: string, options: OptionSpec[], operands: OperandSpec[]): CommandSpec {
  return { path: ['kvs', ...words], grammar: 'getopt', prog: `flux-kvs ${words.join(' ')}`, summary, docLine: true, usage, options, operands };
}

/** copy and move: the same operands and options */
export function copySpec(word: 'copy' | 'move', summary: string): CommandSpec {
  return kvsSpec([word], summary, '[-S src-ns] [-D dst-ns] source destination', [SRC_NS, DST_NS], [
    { name: 'source', nargs: '1' },
    { name: 'destination', nargs: '1' },
  ]);
}

/** -s on a change: print the store's version that holds it (modules/kvs/version.ts) */
export const SEQUENCE: OptionSpec = { name: 'sequence', short: 's', description: 'Output the resulting root sequence number (the store version)' };
/** Flux's content-store options: no such thing in flux-ts, refused (refusals below), not in the usage */
export const TREEOBJ_ROOT: OptionSpec = { name: 'treeobj-root', short: 'O', hidden: true, description: 'not supported: flux-ts has no content store' };
export const BLOBREF: OptionSpec = { name: 'blobref', short: 'b', hidden: true, description: 'not supported: flux-ts has no content store' };
export const AT: OptionSpec = { name: 'at', short: 'a', arg: 'TREEOBJ', hidden: true, description: 'not supported: flux-ts keeps no snapshots' };

/** why each refused option cannot be: one line each */
export const REFUSED: Readonly<Record<string, string>> = {
  'treeobj-root': '-O: flux-ts has no content store, so no root treeobj to output',
  blobref: '-b: flux-ts has no content store, so no blobrefs',
  at: '-a: flux-ts keeps no snapshots of the store to look up at',
  rootref: '-r: flux-ts has no content store, so no root references',
};
