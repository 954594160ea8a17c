/**
 * A `statedir` given with -S (flux-broker-attributes(7)): an existing one must
 * be a directory the instance owner owns and may write, that neither group nor
 * others may write; a missing one is created (mode 0700, its parent must
 * exist). Anything else stops the broker with one line naming it, instead of
 * failing later when something is stored there.
 */
import * as fs from 'node:fs';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import { checkOwnerOnlyDir } from '../connector/socket-dir';

/** 'created' when the broker made it (so it removes it at exit unless statedir-cleanup=0). */
export function checkStatedir(dir: string): 'created' | 'existing' {
  if (!fs.existsSync(dir)) {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new FluxError(Errno.ENOENT, `statedir ${dir}: cannot create: ${err.code ?? err.message}`);
    }
    return 'created';
  }
  checkOwnerOnlyDir('statedir', dir);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new FluxError(Errno.EACCES, `statedir ${dir} is not writable`);
  }
  return 'existing';
}
