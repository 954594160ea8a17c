/**
 * Run a command in the foreground (stdio inherited) for the front end and its
 * commands (flux env CMD, flux proxy ID CMD, flux-CMD on FLUX_EXEC_PATH): its
 * exit status as a shell gives it (128+N for signal N), or the strerror text of
 * a command that could not be started.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { errnoFromCode, strerror } from '../lib/errno';

export type RunOutcome = { status: number } | { error: string };

export function runForeground(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RunOutcome {
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
  if (r.error) return { error: strerror(errnoFromCode((r.error as NodeJS.ErrnoException).code)) };
  if (r.signal) return { status: 128 + (os.constants.signals[r.signal] ?? 0) };
  return { status: r.status ?? 1 };
}
