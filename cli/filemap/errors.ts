/** The one-line failures of archiving and extracting files (flux-archive(1)). */
import { Errno, errnoFromCode, strerror } from '../../lib/errno';

/** A failure whose message is the whole line after `flux-archive: `. */
export class FilemapError extends Error {}

/** strerror(3) text for a Node system error, else its message */
export function sysText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined && code in Errno ? strerror(errnoFromCode(code)) : (e as Error).message;
}

/** a FilemapError `WHAT: strerror` for a Node system error */
export function sysError(what: string, e: unknown): FilemapError {
  return new FilemapError(`${what}: ${sysText(e)}`);
}
