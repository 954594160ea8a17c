/**
 * The strerror(3) text of a Node system error ("No space left on device"), as
 * Flux words the errors of a job's files; Node's own message where the errno
 * table has no entry.
 */
import { Errno, errnoFromCode, strerror } from '../../kernel/api';

export function sysErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && code in Errno ? strerror(errnoFromCode(code)) : String((e as Error)?.message ?? e);
}
