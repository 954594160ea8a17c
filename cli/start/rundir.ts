/**
 * The test instance's rundir, made by `flux start --test-size` (with or
 * without --test-in-process) in TMPDIR, else /tmp; and errno text for the
 * one-line errors of flux start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, errnoFromCode, strerror } from '../../lib/errno';
import { CommandExit } from '../base-command';

/** strerror text for a Node system error, its message when the code is not known. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined && code in Errno ? strerror(errnoFromCode(code)) : (e as Error).message;
}

/** mkdtemp $TMPDIR/flux-XXXXXX; one line, exit 1, when it cannot be made. */
export function makeRundir(): string {
  const tmp = process.env['TMPDIR'] || '/tmp';
  try {
    return fs.mkdtempSync(path.join(tmp, 'flux-'));
  } catch (e) {
    throw new CommandExit(1, `flux-start: cannot make the instance's directory under ${tmp}: ${errnoText(e)}`);
  }
}
