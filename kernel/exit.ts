/**
 * How a broker process ends: its last log lines reach stderr before it exits.
 *
 * A write to a pipe is asynchronous in Node and process.exit() drops what the
 * reader has not taken yet, so the broker waits until stdout and stderr are
 * drained — but never for long: a reader that stopped reading must not keep a
 * broker (and the instance's end) alive. A reader that went away (EPIPE) or any
 * other write error only loses log lines the ring buffer (`flux dmesg`) kept:
 * it never crashes the broker.
 */

/** how long an exiting broker waits for a stalled stderr/stdout reader */
const DRAIN_LIMIT_MS = 2000;

let guarded = false;

/** Ignore write errors on stdout/stderr (an 'error' event without a listener would crash). */
export function guardBrokerStdio(): void {
  if (guarded) return;
  guarded = true;
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
}

function drained(s: NodeJS.WriteStream): Promise<void> {
  if (s.destroyed || s.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    s.once('drain', resolve);
    s.once('error', () => resolve());
    s.once('close', resolve);
  });
}

/** Exit with `rc` once stdout and stderr are drained (or after DRAIN_LIMIT_MS). */
export function exitWhenDrained(rc: number): void {
  guardBrokerStdio();
  const limit = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_LIMIT_MS).unref());
  void Promise.race([Promise.all([drained(process.stdout), drained(process.stderr)]), limit]).then(() => process.exit(rc));
}
