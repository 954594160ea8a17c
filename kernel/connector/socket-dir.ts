/**
 * The local socket's directory decides who can serve and who can reach the
 * instance (ADR 0003): whoever owns or may write to it could put their own
 * socket where clients look for the broker's, or remove the broker's. So a
 * rundir, or the directory of a local-uri given with -S, must be a directory
 * owned by the instance owner that neither its group nor others may write;
 * otherwise the broker refuses to start, naming it (as flux-core's
 * rundir_checkdir does for ownership).
 */
import * as fs from 'node:fs';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Throws FluxError(EPERM / ENOTDIR) with one line naming `what` and `dir` when
 * the directory is not the owner's alone. N.B. stat follows a symlink: what
 * counts is the directory the socket would be made in.
 */
export function checkOwnerOnlyDir(what: string, dir: string, uid = process.getuid?.() ?? 0): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new FluxError(Errno.ENOENT, `${what} ${dir}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new FluxError(Errno.ENOTDIR, `${what} ${dir} is not a directory`);
  if (st.uid !== uid) {
    throw new FluxError(Errno.EPERM, `${what} ${dir} is owned by uid ${st.uid}, not by the instance owner (uid ${uid})`);
  }
  if (st.mode & 0o022) {
    const who = st.mode & 0o002 ? 'others' : 'its group';
    throw new FluxError(Errno.EPERM, `${what} ${dir} is writable by ${who} (mode ${octal(st.mode)})`);
  }
}
