/**
 * flux start --recovery[=TARGET] (flux-start(1)): a size-1 instance on an
 * earlier instance's state, for its owner to look at and repair. TARGET a
 * directory is that instance's statedir (the store in it must be there, the
 * owner's, readable and writable); a file is a flux-dump(1) archive loaded
 * into a temporary statedir; none is the system instance's statedir. The
 * broker in recovery mode (`broker.recovery-mode`) goes on past rc1
 * failures, keeps every resource offline so no job starts, and prints a
 * banner before an interactive shell.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandExit } from '../base-command';

/** the system instance's statedir (no TARGET) */
export const SYSTEM_STATEDIR = '/var/lib/flux';

/** the system instance's config (flux start --sysconfig, and --recovery without TARGET): docs/guide/administration.md */
export const SYSTEM_CONFDIR = '/etc/flux/system/conf.d';

/** the kvs's store in a statedir (modules/kvs/backing.ts) */
const STORE_FILE = 'content.lmdb';

const fail = (msg: string): never => {
  throw new CommandExit(1, `flux-start: ${msg}`);
};

const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'ENOTDIR') return 'Not a directory';
  return (e as Error).message;
};

/** The broker attributes (NAME=VALUE) that --recovery[=TARGET] sets. */
export function recoveryAttrs(target: string): string[] {
  const t = path.resolve(target === '' ? SYSTEM_STATEDIR : target);
  let st: fs.Stats;
  try {
    st = fs.statSync(t);
  } catch (e) {
    return fail(`${t}: ${why(e)}`);
  }
  const common = ['broker.recovery-mode=1', 'broker.quorum=1'];
  if (!st.isDirectory()) {
    try {
      fs.accessSync(t, fs.constants.R_OK);
    } catch (e) {
      return fail(`${t}: ${why(e)}`);
    }
    return [...common, `content.restore=${t}`];
  }
  if (process.getuid && st.uid !== process.getuid()) fail(`${t}: not owned by you`);
  try {
    fs.accessSync(t, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    fail(`${t}: no access`);
  }
  const store = path.join(t, STORE_FILE);
  try {
    fs.accessSync(store, fs.constants.R_OK);
  } catch (e) {
    fail(`${store}: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'no read permission' : why(e)}`);
  }
  try {
    fs.accessSync(store, fs.constants.W_OK);
  } catch {
    fail(`${store}: no write permission`);
  }
  return [...common, `statedir=${t}`];
}
