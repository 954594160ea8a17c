/**
 * Task reaper: every task runs in its own process group; when the broker process
 * goes away, by exit or by SIGKILL, those groups are killed. Normal exits are
 * handled with process.on('exit'); for SIGKILL a tiny awk watchdog (one per
 * broker, in its own process group) holds a pipe from the broker and kills the
 * groups still registered when the pipe reaches end of file. What it is told
 * is written at most every FLUSH_MS (one pipe write, one wake-up of the
 * watchdog, for every task that started or ended meanwhile: at hundreds of
 * jobs a second, a write and a wake-up per task cost the broker more than
 * the rest of the task's start), and a group added and removed meanwhile,
 * as most short tasks are, is not written at all. A task younger than that
 * when the broker is killed is still found by the broker's reaper through
 * its FLUX_TS_LINEAGE (lib/reaper.ts), unless it cleared its
 * environment too.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WATCHDOG =
  '{ if ($1 == "+") s[$2] = 1; else delete s[$2] } ' +
  'END { for (p in s) system("kill -9 -" p " 2>/dev/null") }';

/** the longest a new task's group waits to be written to the watchdog */
const FLUSH_MS = 50;

class TaskGuard {
  private readonly groups = new Set<number>();
  private watchdog: ChildProcess | undefined;
  private hooked = false;
  /** what the watchdog is told at the next flush: pgid -> added (true) or removed (false) */
  private readonly changes = new Map<number, boolean>();
  private flushing = false;

  add(pgid: number): void {
    this.groups.add(pgid);
    this.hook();
    this.tell(pgid, true);
  }

  remove(pgid: number): void {
    if (this.groups.delete(pgid)) this.tell(pgid, false);
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

  private tell(pgid: number, added: boolean): void {
    // added then removed before a flush: the watchdog never needs to know
    if (!added && this.changes.get(pgid) === true) this.changes.delete(pgid);
    else this.changes.set(pgid, added);
    if (this.flushing) return;
    this.flushing = true;
    setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  private flush(): void {
    this.flushing = false;
    let text = '';
    for (const [pgid, added] of this.changes) text += `${added ? '+' : '-'} ${pgid}\n`;
    this.changes.clear();
    const w = this.watchdog?.stdin;
    if (text !== '' && w && w.writable) w.write(text);
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
