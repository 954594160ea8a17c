/**
 * Run flux proxy's COMMAND: stdio inherited, the terminal's SIGINT/SIGTERM
 * left to COMMAND itself (the proxy stays until it ends); its exit status as
 * a shell gives it (128+N for signal N), or why it could not be started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';

export type ProxyOutcome = { status: number } | { error: string };

export function runChild(argv: readonly string[], env: NodeJS.ProcessEnv, onSpawn: (child: ChildProcess) => void = () => undefined): Promise<ProxyOutcome> {
  return new Promise<ProxyOutcome>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const done = (o: ProxyOutcome): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      resolve(o);
    };
    child.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code === 'ENOENT' ? 'No such file or directory' : e.message }));
    child.on('close', (code, sig) => done({ status: code ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0) }));
    onSpawn(child);
  });
}
