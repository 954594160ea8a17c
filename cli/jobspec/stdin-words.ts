/** The operands of flux job id / namespace, else the non-empty lines of stdin (Flux reads ids there when none are given). */
import * as fs from 'node:fs';

export function operandsOrStdinLines(operands: readonly string[]): string[] {
  if (operands.length > 0) return [...operands];
  let text = '';
  try {
    text = fs.readFileSync(0, 'utf8');
  } catch {
    /* no stdin */
  }
  return text.split('\n').filter((l) => l.trim().length > 0);
}
