/**
 * A guest's input file (`flux run --input=FILE`), read by a process running
 * as the guest (user-proc.ts), so that a guest's job reads only what the
 * guest may read (the broker would read it with the owner's rights):
 *
 *     exec 3<"$1"; echo ok >&2; exec cat <&3
 *
 * `ok` on its stderr says the file is open (the tasks may start); its stdout
 * is the data, copied to every task's stdin as FileInput copies it. A FIFO
 * is announced before its open (the tasks start and get the data once a
 * writer comes, as with FileInput's non-blocking open). A failed open is
 * diagnosed by cat (strerror text); a read error after it is the job's
 * `error reading input file 'F': ...`.
 */
import type { NativeTask } from './native-spawn';
import type { ImpUser } from './imp';
import type { InputSource } from './plugin-api';
import type { StdinTarget } from './input-source';
import { reasonOf, spawnAsUser } from './user-proc';

const SCRIPT =
  'if [ -p "$1" ]; then echo ok >&2; exec cat -- "$1"; fi; ' +
  '{ command exec 3<"$1"; } 2>/dev/null || exec cat -- "$1" >/dev/null; echo ok >&2; exec cat <&3 3<&-';
/** the most of the reader's stderr kept */
const KEEP = 4096;

export class UserFileInput implements InputSource {
  private proc: NativeTask | undefined;
  private opened = false;
  private closed = false;
  private stderr = '';
  /** the reader's end: its reason when it failed */
  private ended: Promise<string | undefined> | undefined;

  constructor(
    readonly path: string,
    readonly display: string,
    private readonly as: ImpUser,
  ) {}

  /** start the reader; rejects with the one-line error (`error opening input file 'PATH': ...`) */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = spawnAsUser(this.as, SCRIPT, [this.path]);
      if (t === undefined) return reject(new Error(`error opening input file '${this.display}': flux-ts's native helpers (flux-task) are not built here`));
      this.proc = t;
      t.stdout?.pause();
      t.stdin?.on('error', () => {});
      t.stdin?.end();
      t.stderr?.on('data', (d: Buffer) => {
        if (this.stderr.length < KEEP) this.stderr += d.toString('utf8', 0, Math.min(d.length, KEEP));
        if (!this.opened && this.stderr.startsWith('ok\n')) {
          this.opened = true;
          this.stderr = this.stderr.slice(3);
          resolve();
        }
      });
      let over = false;
      this.ended = new Promise((done) => {
        const end = (why: string | undefined) => {
          if (over) return;
          over = true;
          this.proc = undefined;
          if (!this.opened) reject(new Error(`error opening input file '${this.display}': ${why ?? 'exited before it opened the file'}`));
          done(why);
        };
        // a start that failed (the IMP's refusal line, exec's errno) is the end: 'close' may not follow
        t.once('error', (e: Error) => end(e.message));
        // the reader ended without opening: nobody will read its (paused) stdout, so 'close' would not come
        t.stderr?.once('close', () => {
          if (this.opened) return;
          t.stdout?.destroy();
          end(reasonOf(this.stderr, 'exited before it opened the file'));
        });
        t.once('close', (code: number | null, signal: string | null) =>
          end(code === 0 && signal === null ? undefined : reasonOf(this.stderr, signal !== null ? `killed by ${signal}` : `exited with status ${code}`)),
        );
      });
    });
  }

  /** copy to every target, pausing while any of them is full; end them at end of file; a read error to onError */
  pipeTo(targets: readonly StdinTarget[], onError: (note: string) => void): void {
    const src = this.proc?.stdout;
    if (!src) return;
    const open = () => targets.filter((t) => !t.done);
    let waiting = 0;
    const ready = () => {
      if (--waiting === 0) src.resume();
    };
    src.on('data', (view: Buffer) => {
      // a view of the pipe's reused buffer (native-spawn.ts readSocket): the targets may keep it queued
      const chunk = Buffer.from(view);
      for (const t of open()) {
        if (t.write(chunk)) continue;
        waiting++;
        t.whenReady(ready);
      }
      if (waiting > 0) src.pause();
    });
    src.on('close', () => {
      for (const t of open()) t.end();
    });
    void this.ended?.then((why) => {
      if (why !== undefined && !this.closed) onError(`error reading input file '${this.display}': ${why}`);
    });
    src.resume();
  }

  /** stop reading (the shell is done) */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.proc?.stdout?.destroy();
    this.proc?.kill('SIGKILL');
  }
}
