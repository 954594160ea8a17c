/**
 * The nodes of the kvs tree (store.ts): directories, values, eventlogs,
 * links, and packed directories (pack.ts: a cold directory kept as one
 * compressed string).
 */

/** A closed or open eventlog. */
export interface LogEntry {
  text: string;
  closed: boolean;
  /** appends so far (the backing store keeps each as its own record, numbered from 1) */
  n: number;
}

/** A symbolic link (flux kvs link): reads of it, and of keys through it, go to its target. */
export interface LinkEntry {
  target: string;
}

/**
 * A directory; a plain string is a value (its JSON text). A directory made by
 * mkdir is kept when emptied. `w`: the store's epoch when a change last went
 * through it (store.ts: a directory written since the last tick is not cold).
 */
export type Dir = Map<string, Node> & { made?: true; w?: number };

/** the dictionary packed directories were compressed with (pack.ts, lz.ts LzDict) */
export interface PackDict {
  readonly bytes: Uint8Array;
}

/**
 * A directory kept packed (pack.ts): its subtree serialized and deflated
 * into one latin1 string (the most compact thing V8 holds), with the number
 * of values and eventlogs in it.
 */
export class Packed {
  constructor(
    /** the compressed serialization, one char a byte (latin1) */
    readonly data: string,
    /** values, eventlogs and links below it (store.ts size) */
    readonly count: number,
    /** the dictionary it was deflated with */
    readonly dict: PackDict,
  ) {}
}

export type Node = Dir | LogEntry | LinkEntry | Packed | string;
/** a node as reads see it: a packed directory is read unpacked */
export type Plain = Exclude<Node, Packed>;

export const isDir = (n: Node | undefined): n is Dir => n instanceof Map;
export const isPacked = (n: Node | undefined): n is Packed => n instanceof Packed;
export const isLinkNode = (n: Node | undefined): n is LinkEntry => typeof n === 'object' && 'target' in n;
export const isLogNode = (n: Node | undefined): n is LogEntry => typeof n === 'object' && 'text' in n && 'closed' in n;

/** one shared copy of each path component (`eventlog`, `guest`, `0000` ...), bounded */
const names = new Map<string, string>();
export function intern(s: string): string {
  const have = names.get(s);
  if (have !== undefined) return have;
  if (names.size < 8192) names.set(s, s);
  return s;
}
