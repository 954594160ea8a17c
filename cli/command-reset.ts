/**
 * State a command may leave in a module of the front end (a cache, a flag, a
 * file it never got to close) that the next command must not see. A fresh
 * process starts without it; a warm client that serves several commands in
 * turn (cli/pool/worker.ts) calls resetCommandState() between them. A module
 * that keeps such state registers how to forget it, once, as it loads.
 */
const resets: Array<() => void | Promise<void>> = [];

export function onCommandReset(fn: () => void | Promise<void>): void {
  resets.push(fn);
}

export async function resetCommandState(): Promise<void> {
  await Promise.all(resets.map((fn) => fn()));
}
