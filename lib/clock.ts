/**
 * Monotonic milliseconds, as performance.now() gives them but from an
 * arbitrary origin: for durations and deadlines only. The `performance`
 * global loads perf_hooks on first use, which an idle broker otherwise never
 * needs (~0.2 MiB of rank 0's idle memory, issue 13).
 */
export function monoMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
