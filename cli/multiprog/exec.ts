/**
 * Run a program in place of this process, as near to exec(2) as Node allows:
 * stdio inherited, the signals a task is sent passed on to it, and its end
 * made ours (its exit status, or death by the same signal).
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { errnoFromCode, strerror } from '../../lib/errno';

/** what a job's task can be sent (flux job kill, the shell's timeouts) */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT'];

export type ExecOutcome = { status: number } | { signal: NodeJS.Signals } | { error: string };

export function execProgram(argv: readonly string[]): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    const handlers = FORWARDED.map((sig) => {
      const h = (): void => {
        child.kill(sig);
      };
      process.on(sig, h);
      return [sig, h] as const;
    });
    const done = (o: ExecOutcome): void => {
      for (const [sig, h] of handlers) process.off(sig, h);
      resolve(o);
    };
    child.once('error', (e: NodeJS.ErrnoException) => done({ error: strerror(errnoFromCode(e.code)) }));
    child.once('exit', (code, signal) => done(signal ? { signal } : { status: code ?? 1 }));
  });
}

/** End this process the way the program ended: killed by its signal when it was. */
export function dieBySignal(signal: NodeJS.Signals): number {
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through to the shell's convention
  }
  return 128 + (os.constants.signals[signal] ?? 0);
}
