/** The operands of flux job id / namespace, else the non-empty lines of stdin (Flux reads ids there when none are given). */
import { readAtMost } from '../read-stream';

/** the most of stdin read for ids: millions of them, not an endless stream (</dev/zero) */
export const MAX_STDIN_IDS = 64 << 20;

/** The lines, or undefined when stdin holds more than MAX_STDIN_IDS bytes. */
export async function operandsOrStdinLines(operands: readonly string[]): Promise<string[] | undefined> {
  if (operands.length > 0) return [...operands];
  let data: Buffer | undefined;
  try {
    data = await readAtMost(process.stdin, MAX_STDIN_IDS);
  } catch {
    return []; // no stdin to read (closed)
  }
  return data?.toString('utf8').split('\n').filter((l) => l.trim().length > 0);
}
