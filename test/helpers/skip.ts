/**
 * Skips that report as skips. A test that cannot run here (a tool that is not
 * installed, a machine without root) calls skipped(name, why) and returns:
 * it prints `# SKIP "name": why`, which scripts/run-tests.js counts as a skip
 * (not a pass) and names in its per-file line. testWhen() does that for a test
 * whose reason is known when the file loads.
 */
import type { Test } from 'uvu';

/** Mark the running test `name` as skipped because of `why`; return right after. */
export function skipped(name: string, why: string): void {
  console.log(`# SKIP ${JSON.stringify(name)}: ${why}`);
}

/** Register `name`: it runs when `why` is undefined, and is reported skipped with `why` otherwise. */
export function testWhen(t: Test, name: string, why: string | undefined, fn: () => unknown): void {
  if (why === undefined) t(name, fn as () => void | Promise<void>);
  else t(name, () => skipped(name, why));
}
