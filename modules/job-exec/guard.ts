/**
 * Task reaper: every task runs in its own process group; when the broker process
 * goes away, by exit or by SIGKILL, those groups are killed. Normal exits are
 * handled with process.on('exit'); for SIGKILL a tiny awk watchdog (one per
 * broker, in its own process group) holds a pipe from the broker and kills the
 * groups still registered when the pipe reaches end of file.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WATCHDOG =
  '{ if ($1 == "+") s[$2] = 1; else delete s[$2] } ' +
  'END { for (p in s) system("kill -9 -" p " 2>/dev/null") }';

class TaskGuard {
  private readonly groups = new Set<number>();
  private watchdog: ChildProcess | undefined;
  private hooked = false;

  add(pgid: number): void {
    this.groups.add(pgid);
    this.hook();
    this.tell(`+ ${pgid}\n`);
  }

  remove(pgid: number): void {
    if (this.groups.delete(pgid)) this.tell(`- ${pgid}\n`);
  }

  /** SIGKILL every registered group now. */
  killAll(): void {
    for (const g of this.groups) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.groups.clear();
  }

  private tell(line: string): void {
    const w = this.watchdog?.stdin;
    if (w && w.writable) w.write(line);
  }

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    process.on('exit', () => this.killAll());
    try {
      const w = spawn('awk', [WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      w.on('error', () => (this.watchdog = undefined));
      w.stdin!.on('error', () => (this.watchdog = undefined));
      w.unref();
      (w.stdin as unknown as { unref?: () => void }).unref?.();
      this.watchdog = w;
    } catch {
      this.watchdog = undefined;
    }
  }
}

/** the one guard of this process */
export const taskGuard = new TaskGuard();
