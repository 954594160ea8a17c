/**
 * A real terminal for full-screen programs (flux top): a tmux session on a
 * private server socket of its own, so a test never touches anyone else's
 * tmux, and `kill()` ends the server with everything in it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './flux';

export const tmuxMissing: string | undefined =
  spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0 ? undefined : 'tmux is not installed (apt-get install tmux)';

export class Tmux {
  private readonly socket = `flux-ts-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private started = false;

  private tmux(args: readonly string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Start `command` (a sh command line) in a width x height window, with flux's bin/ first on PATH and `env` added. */
  start(command: string, env: NodeJS.ProcessEnv, width = 120, height = 30): void {
    const vars = { ...env, PATH: `${path.join(ROOT, 'bin')}:${process.env['PATH']}`, LANG: 'C.UTF-8' };
    const exports = Object.entries(vars)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}='${String(v).replace(/'/g, `'\\''`)}'`)
      .join(' ');
    this.tmux(['-f', '/dev/null', 'new-session', '-d', '-x', String(width), '-y', String(height), `env ${exports} sh -c '${command.replace(/'/g, `'\\''`)}'; sleep 600`]);
    this.started = true;
  }

  /** The screen as text, trailing blanks of each line and trailing empty lines removed. */
  screen(): string[] {
    const lines = this.tmux(['capture-pane', '-p']).split('\n').map((l) => l.replace(/\s+$/, ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  /** Type keys (tmux key names: `j`, `Enter`, `q`). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', ...keys]);
  }

  kill(): void {
    if (!this.started) return;
    this.started = false;
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
