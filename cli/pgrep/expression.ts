/**
 * flux pgrep / pkill EXPRESSION words: each is a job name pattern (a regular
 * expression searched in the name) or a job id range `ID1..ID2` (inclusive,
 * when both sides are valid job ids); `name:WORD` forces a pattern. With both
 * kinds given, a job must match both.
 */
import { tryParseJobId } from '../../lib/formats';

export interface Matcher {
  /** name patterns: a job matches when one of them is found in its name */
  readonly patterns: RegExp[];
  /** id ranges: a job matches when its id is in one of them */
  readonly ranges: Array<[bigint, bigint]>;
}

export class ExpressionError extends Error {}

/** Parse the EXPRESSION words; a bad pattern throws ExpressionError. */
export function parseExpressions(words: readonly string[]): Matcher {
  const m: Matcher = { patterns: [], ranges: [] };
  for (const w of words) {
    if (w.startsWith('name:')) {
      m.patterns.push(compile(w.slice(5)));
      continue;
    }
    const dots = w.indexOf('..');
    if (dots >= 0) {
      const a = tryParseJobId(w.slice(0, dots));
      const b = tryParseJobId(w.slice(dots + 2));
      if (a !== undefined && b !== undefined) {
        m.ranges.push(a <= b ? [a, b] : [b, a]);
        continue;
      }
    }
    m.patterns.push(compile(w));
  }
  return m;
}

function compile(p: string): RegExp {
  try {
    return new RegExp(p);
  } catch (e) {
    throw new ExpressionError(`expression error: ${(e as Error).message}`);
  }
}

/** A job matches when it meets the patterns (if any) and the ranges (if any). */
export function matches(m: Matcher, job: { id: number | bigint; name: string }): boolean {
  if (m.patterns.length > 0 && !m.patterns.some((r) => r.test(job.name))) return false;
  const id = BigInt(job.id);
  if (m.ranges.length > 0 && !m.ranges.some(([a, b]) => id >= a && id <= b)) return false;
  return true;
}
