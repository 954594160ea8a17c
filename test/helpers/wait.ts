/**
 * Waiting on conditions, never on fixed sleeps: poll until a condition holds,
 * and fail with a message that names what was awaited (and, when given, what
 * was last seen) when the deadline passes.
 */

export interface WaitOpts {
  /** what is awaited, for the failure message ("job 1 in state R") */
  what: string;
  /** deadline (default 20 s: generous, since a loaded 2-core host is slow) */
  timeoutMs?: number;
  /** between polls (default 50 ms) */
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Poll cond until it returns a truthy value, and resolve with that value. cond
 * may be async; an exception it throws counts as "not yet" (the last one is
 * reported at the deadline).
 */
export async function waitUntil<T>(cond: () => T | Promise<T>, opts: WaitOpts): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const interval = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? `; last error: ${last.message}` : last !== undefined && last !== false ? `; last seen: ${String(last)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${seen}`);
    }
    await sleep(interval);
  }
}

/**
 * The synchronous form, for tests written around spawnSync: blocks this test
 * process (never a broker) between polls.
 */
export function waitUntilSync<T>(cond: () => T, opts: WaitOpts): NonNullable<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const interval = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let last: unknown;
  for (;;) {
    try {
      const v = cond();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? `; last error: ${last.message}` : last !== undefined && last !== false ? `; last seen: ${String(last)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${seen}`);
    }
    Atomics.wait(cell, 0, 0, interval);
  }
}

/**
 * waitUntil for a yes/no condition, in the short form most tests use:
 * `await until(() => ..., 'rank 1 to be lost')` (100 ms between polls).
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(cond, { what, timeoutMs, intervalMs: 100 });
}
