/**
 * A guest's output file (--output/--error, `flux batch`'s flux-ID.out),
 * written by a process running as the guest (user-proc.ts) so that the file
 * is the guest's, created where the guest may create it and nowhere else:
 *
 *     exec 3>"$1" (3>>"$1" with output.mode=append); echo ok; exec cat >&3
 *
 * `ok` on its stdout says the file is open (the job may start); the output
 * goes to cat's stdin, a pipe (never blocking the loop: net.Socket). A failed
 * open is diagnosed by tee, whose line ends with the strerror text (sh's own
 * differs: "Directory nonexistent"). The first error, of the open or of cat's
 * writes (ENOSPC: `cat: write error: No space left on device`), becomes one
 * line, `error writing output file 'PATH': No space left on device`, handed
 * to onError, as FileSink says it; later writes are dropped.
 *
 * flushed() resolves once what was written is in the pipe to cat; close()
 * once cat has written everything and exited (the job finishes after that).
 */
import { ByteLedger } from './byte-ledger';
import type { NativeTask } from './native-spawn';
import type { ImpUser } from './imp';
import { reasonOf, spawnAsUser } from './user-proc';

// `command exec`: a failed redirection does not end the shell; `{ } 2>/dev/null`: only for the open
const SCRIPT_TRUNC = 'umask 022; { command exec 3>"$1"; } 2>/dev/null || exec tee -- "$1" </dev/null >/dev/null; echo ok; exec cat >&3 3>&-';
const SCRIPT_APPEND = 'umask 022; { command exec 3>>"$1"; } 2>/dev/null || exec tee -a -- "$1" </dev/null >/dev/null; echo ok; exec cat >&3 3>&-';
/** the most of the helper's stderr kept */
const KEEP = 4096;

export class UserFileSink {
  private proc: NativeTask | undefined;
  private opening: Promise<boolean> | undefined;
  private opened = false;
  private failure: string | undefined;
  private aborted = false;
  private closed = false;
  /** bytes given to write(), and taken by cat's stdin or dropped */
  private readonly ledger = new ByteLedger();
  private stderr = '';
  private readonly errorCbs: Array<(note: string) => void> = [];
  private exited: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly as: ImpUser,
    private readonly opts: { what: string; display?: string; append?: boolean },
  ) {}

  get error(): string | undefined {
    return this.failure;
  }

  onError(cb: (note: string) => void): void {
    if (this.failure !== undefined) cb(this.failure);
    else this.errorCbs.push(cb);
  }

  open(): Promise<boolean> {
    return (this.opening ??= this.doOpen());
  }

  private doOpen(): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.aborted) return resolve(false);
      const t = spawnAsUser(this.as, this.opts.append ? SCRIPT_APPEND : SCRIPT_TRUNC, [this.path]);
      if (t === undefined) {
        this.fail('opening', "flux-ts's native helpers (flux-task) are not built here");
        return resolve(false);
      }
      this.proc = t;
      let said = '';
      t.stdout?.on('data', (d: Buffer) => {
        if (this.opened) return;
        said += d.toString('utf8');
        if (said.includes('ok\n')) {
          this.opened = true;
          resolve(!this.aborted);
        }
      });
      t.stderr?.on('data', (d: Buffer) => {
        if (this.stderr.length < KEEP) this.stderr += d.toString('utf8', 0, Math.min(d.length, KEEP));
      });
      t.stdin?.on('error', () => {});
      let ended!: () => void;
      this.exited = new Promise((done) => (ended = done));
      let over = false;
      const end = (why: string | undefined) => {
        if (over) return;
        over = true;
        this.proc = undefined;
        if (!this.aborted && why !== undefined) this.fail(this.opened ? 'writing' : 'opening', why);
        if (!this.opened) resolve(false);
        ended();
      };
      // a start that failed (the IMP's refusal line, exec's errno) is the end: 'close' may not follow
      t.once('error', (e: Error) => end(e.message));
      t.once('close', (code: number | null, signal: string | null) =>
        end(code !== 0 || signal !== null || !this.opened ? reasonOf(this.stderr, signal !== null ? `killed by ${signal}` : `exited with status ${code}`) : undefined),
      );
    });
  }

  /** text, or bytes as they are (a Buffer the caller does not change afterwards) */
  write(data: string | Buffer): void {
    if (this.failure !== undefined || this.aborted || this.closed || data.length === 0) return;
    const stdin = this.proc?.stdin;
    if (!stdin || stdin.destroyed) return;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    this.ledger.accept(bytes);
    stdin.write(data, () => this.ledger.settle(bytes));
  }

  flushed(): Promise<void> {
    return this.ledger.flushed();
  }

  /** end cat's input and wait for it to write the rest and exit */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.opened) {
      this.abort();
      return;
    }
    this.proc?.stdin?.end();
    await this.exited;
  }

  /** give up: kill the helper (a FIFO without a reader, a reader that stopped) */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.closed = true;
    this.drop();
    this.proc?.stdin?.destroy();
    this.proc?.kill('SIGKILL');
  }

  private drop(): void {
    this.ledger.settleAll();
  }

  private fail(op: 'opening' | 'writing', why: string): void {
    if (this.failure !== undefined || this.aborted) return;
    this.failure = `error ${op} ${this.opts.what} '${this.opts.display ?? this.path}': ${why}`;
    this.drop();
    this.proc?.stdin?.destroy();
    for (const cb of this.errorCbs.splice(0)) cb(this.failure);
  }
}
