/**
 * flux-broker-attributes(7): a `rundir` or `statedir` set on the command line
 * that is a directory with the sticky bit set (a /tmp-like directory, shared
 * by everyone) is not used itself: the broker makes a unique directory inside
 * it (as it does in $TMPDIR when the attribute is unset), and removes it at
 * exit.
 */
import * as fs from 'node:fs';

/** `dir` when it is an existing directory with the sticky bit set, else undefined. */
export function stickyParent(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() && (st.mode & 0o1000) !== 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}
