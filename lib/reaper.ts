/**
 * The broker's reaper (native/flux-reaper.c): a small process in a session of
 * its own that holds a pipe from the broker and, when the pipe closes — at a
 * clean exit or because the broker was killed with SIGKILL — kills every process
 * the broker started for the instance and their descendants (FLUX_TS_LINEAGE in
 * their environment, or a session the broker registered), even those that left
 * their process group with setsid. Without the native build there is no reaper
 * (one debug line); without it a broker killed with SIGKILL leaves orphans.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const BINARY = path.join(__dirname, '..', 'native', 'flux-reaper');
/** a reaper that keeps dying is not restarted for ever */
const MAX_RESTARTS = 5;

export class Reaper {
  private child: ChildProcess | undefined;
  private readonly sessions: number[] = [];
  private rundir: string | undefined;
  private restarts = 0;
  private closing = false;

  constructor(
    private readonly lineageId: string,
    private readonly log: (severity: 'err' | 'debug', text: string) => void,
  ) {}

  /** Start the reaper; false when the build has none. */
  start(): boolean {
    if (!fs.existsSync(BINARY)) {
      this.log('debug', 'reaper: no flux-reaper in this build: a broker killed with SIGKILL may leave orphans');
      return false;
    }
    this.spawn();
    return true;
  }

  /** The rundir the broker made: removed by the reaper if the broker is killed (its own exit removes it otherwise). */
  guardRundir(dir: string): void {
    this.rundir = dir;
    this.tell(`r ${dir}\n`);
  }

  /** Kill what is left in this session (or process group) once the broker is gone. */
  guardSession(sid: number): void {
    this.sessions.push(sid);
    this.tell(`s ${sid}\n`);
  }

  /**
   * A clean end: close the pipe and wait (bounded) for the reaper to kill what
   * is left, so that nothing outlives the broker's exit.
   */
  async finish(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    const c = this.child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private spawn(): void {
    // a clean environment: the reaper must not carry the lineage it hunts
    const c = spawn(BINARY, [String(process.pid), this.lineageId], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: '/usr/bin:/bin' },
    });
    this.child = c;
    c.stdin!.on('error', () => undefined);
    c.on('error', (e) => this.log('err', `reaper: cannot start ${BINARY}: ${e.message}`));
    c.on('exit', (code, sig) => {
      if (this.closing || this.child !== c) return;
      this.child = undefined;
      if (this.restarts >= MAX_RESTARTS) {
        this.log('err', `reaper exited (${sig ?? `status ${code}`}) ${MAX_RESTARTS} times: not restarted`);
        return;
      }
      this.restarts++;
      this.log('err', `reaper exited (${sig ?? `status ${code}`}): restarted`);
      this.spawn();
    });
    c.unref();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
    // what was registered before this reaper started (or before a restart)
    for (const s of this.sessions) this.tell(`s ${s}\n`);
    if (this.rundir !== undefined) this.tell(`r ${this.rundir}\n`);
  }

  private tell(line: string): void {
    const w = this.child?.stdin;
    if (w && w.writable) w.write(line);
  }
}
