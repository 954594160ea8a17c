/**
 * A file a job's output goes to (the job's output log in the rundir, and the
 * --output/--error files of the output-file shell plugin), opened and written
 * without ever blocking or throwing on the broker's event loop:
 *
 * - open() runs in libuv's threadpool with O_NONBLOCK, so a FIFO without a
 *   reader answers ENXIO at once instead of blocking; the sink then polls for
 *   a reader (backing off to 0.5 s) until one comes or abort() gives up.
 * - a FIFO or socket is written through a libuv pipe handle (epoll, never
 *   blocks); anything else with fs.write in the threadpool, one write at a
 *   time, EAGAIN (a non-blocking device) retried.
 * - the first error of open or write becomes one line, `error writing output
 *   file 'PATH': No space left on device`, handed to onError; later writes are
 *   dropped, so the job's tasks are never held up by a dead sink.
 *
 * write() only queues; `pending` is what is queued and not yet written, and
 * flushed() resolves once everything written so far is on its way to the file,
 * which is what the job's output acknowledgements wait for: a slow sink slows
 * the tasks (their pipes fill) instead of growing the broker's memory.
 */
import { ByteLedger } from './byte-ledger';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { sysErrorText } from './sys-error';

// libuv opens every file O_CLOEXEC: the tasks never inherit these descriptors
const { O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, O_NONBLOCK, O_NOCTTY } = fs.constants;

/** a FIFO without a reader: look for one after this long, doubling up to FIFO_POLL_MAX_MS */
const FIFO_POLL_MIN_MS = 20;
const FIFO_POLL_MAX_MS = 500;
/** small queued strings are joined into one write up to this many characters */
const WRITE_CHUNK = 64 * 1024;
/** a non-blocking device said EAGAIN: try again after this long */
const RETRY_MS = 10;

export interface FileSinkOptions {
  /** what the file is, for error lines: 'output file', 'output log' */
  what: string;
  /** the path as error lines show it (default: the path) */
  display?: string;
  /** O_APPEND instead of O_TRUNC */
  append?: boolean;
  /** mode of a new file (default 0644) */
  mode?: number;
  /** called after each completed write (readers of the file may read further) */
  onProgress?: () => void;
  /**
   * a file in a directory of the instance owner's that the broker names itself
   * (the job's output log): written as a file without asking what it is (no
   * fstat: one threadpool round trip less per job)
   */
  ownFile?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function openFd(path: string, flags: number, mode: number): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, flags, mode, (e, fd) => (e ? reject(e) : resolve(fd))));
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => fs.fstat(fd, (e, st) => (e ? reject(e) : resolve(st))));
}

function stat(path: string): Promise<fs.Stats | undefined> {
  return new Promise((resolve) => fs.stat(path, (e, st) => resolve(e ? undefined : st)));
}

/** queued pieces as one write: a string when all are text, else their bytes */
function joinParts(parts: Array<string | Buffer>): string | Buffer {
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

export class FileSink {
  private fd: number | undefined;
  private pipe: net.Socket | undefined;
  /**
   * N.B. strings for text, not Buffers: fs.write and a pipe's write copy a
   * string into native memory freed as soon as the write is done, where a
   * Buffer is an ArrayBuffer that lingers until the next GC (tens of MiB at a
   * GiB of output). Only output that is not UTF-8 comes as a Buffer.
   */
  private readonly queue: Array<{ text: string | Buffer; bytes: number }> = [];
  /** bytes given to write(), and written or dropped after a failure */
  private readonly ledger = new ByteLedger();
  private busy = false;
  private opening: Promise<boolean> | undefined;
  private failure: string | undefined;
  private aborted = false;
  private closed = false;
  private released = false;
  private dropped = false;
  private readonly errorCbs: Array<(note: string) => void> = [];
  /** bytes actually in the file (from its start, for a file opened with O_TRUNC) */
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly opts: FileSinkOptions,
  ) {}

  /** queued and not yet written */
  get pending(): number {
    return this.ledger.pending;
  }

  /** the error line, once the sink failed */
  get error(): string | undefined {
    return this.failure;
  }

  /** true once open() succeeded */
  get isOpen(): boolean {
    return this.fd !== undefined || this.pipe !== undefined;
  }

  /** cb(note) once, at the first error */
  onError(cb: (note: string) => void): void {
    if (this.failure !== undefined) cb(this.failure);
    else this.errorCbs.push(cb);
  }

  /**
   * Open the file (once). Resolves true when open (a FIFO: when a reader is
   * there), false when it failed (onError has the line) or abort() gave up.
   */
  open(): Promise<boolean> {
    return (this.opening ??= this.doOpen());
  }

  private async doOpen(): Promise<boolean> {
    const flags = O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK | (this.opts.append ? O_APPEND : O_TRUNC);
    let delay = FIFO_POLL_MIN_MS;
    for (;;) {
      if (this.aborted) return false;
      let fd: number;
      try {
        fd = await openFd(this.path, flags, this.opts.mode ?? 0o644);
      } catch (e) {
        // ENXIO: a FIFO nobody reads yet (or a socket, which open() cannot take)
        if ((e as NodeJS.ErrnoException).code === 'ENXIO' && !this.aborted && (await stat(this.path))?.isFIFO()) {
          await sleep(delay);
          delay = Math.min(2 * delay, FIFO_POLL_MAX_MS);
          continue;
        }
        this.fail('opening', e);
        return false;
      }
      if (this.aborted) {
        fs.close(fd, () => {});
        return false;
      }
      let st: fs.Stats | undefined;
      try {
        st = this.opts.ownFile ? undefined : await fstat(fd);
      } catch (e) {
        fs.close(fd, () => {});
        this.fail('opening', e);
        return false;
      }
      if (st && (st.isFIFO() || st.isSocket())) {
        const pipe = new net.Socket({ fd, readable: false, writable: true });
        pipe.on('error', (e) => this.fail('writing', e));
        this.pipe = pipe;
      } else {
        this.fd = fd;
      }
      if (this.aborted) {
        this.release();
        return false;
      }
      this.pump();
      return true;
    }
  }

  /** queue text, or bytes (a Buffer the caller does not change afterwards), for the file (dropped once the sink failed or closed) */
  write(text: string | Buffer): void {
    if (this.failure !== undefined || this.aborted || this.closed || text.length === 0) return;
    const bytes = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.length;
    this.queue.push({ text, bytes });
    this.ledger.accept(bytes);
    this.pump();
  }

  /** resolves once everything written so far is written (or dropped by a failure) */
  flushed(): Promise<void> {
    return this.ledger.flushed();
  }

  /** flush, then close; a sink still waiting to open (a FIFO without a reader) gives up */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.isOpen && this.failure === undefined) {
      this.abort();
      return;
    }
    await this.flushed();
    this.release();
  }

  /** give up: stop waiting for a FIFO reader, drop what is queued, close */
  abort(): void {
    this.aborted = true;
    this.closed = true;
    this.drop();
    this.release();
  }

  private pump(): void {
    if (this.busy || this.failure !== undefined || this.released || !this.isOpen) return;
    if (this.queue.length === 0) return;
    let chars = 0;
    let bytes = 0;
    let k = 0;
    while (k < this.queue.length && (k === 0 || chars + this.queue[k]!.text.length <= WRITE_CHUNK)) {
      chars += this.queue[k]!.text.length;
      bytes += this.queue[k++]!.bytes;
    }
    const parts = this.queue.splice(0, k);
    const text = k === 1 ? parts[0]!.text : joinParts(parts.map((p) => p.text));
    this.busy = true;
    if (this.pipe) this.pipe.write(text, (e) => this.completed(e ?? undefined, bytes));
    else if (typeof text === 'string') this.writeFd(text, bytes);
    else this.writeBuf(text, () => this.completed(undefined, bytes), (err) => this.completed(err, bytes));
  }

  /** write all of text (bytes long): a short write goes on with the rest, as bytes */
  private writeFd(text: string, bytes: number): void {
    fs.write(this.fd!, text, null, 'utf8', (e, n) => {
      if (e && e.code === 'EAGAIN' && !this.aborted) {
        setTimeout(() => this.writeFd(text, bytes), RETRY_MS);
        return;
      }
      if (!e && n < bytes && !this.aborted) {
        const rest = Buffer.from(text, 'utf8').subarray(n);
        this.writeBuf(rest, () => this.completed(undefined, bytes), (err) => this.completed(err, bytes));
        return;
      }
      this.completed(e ?? undefined, bytes);
    });
  }

  /** bytes (output that is not UTF-8), and the rare rest of a short write */
  private writeBuf(buf: Buffer, done: () => void, fail: (e: Error) => void): void {
    fs.write(this.fd!, buf, 0, buf.length, null, (e, n) => {
      if (e && e.code !== 'EAGAIN') return fail(e);
      if (this.aborted) return done();
      if (e || n === 0) setTimeout(() => this.writeBuf(buf, done, fail), RETRY_MS);
      else if (n < buf.length) this.writeBuf(buf.subarray(n), done, fail);
      else done();
    });
  }

  /** the write in flight is over */
  private completed(e: Error | undefined, n: number): void {
    this.busy = false;
    if (e) this.fail('writing', e);
    else {
      this.bytesWritten += n;
      // after a drop() (abort) those bytes already count as settled
      if (!this.dropped) this.ledger.settle(n);
      this.opts.onProgress?.();
    }
    if (this.released) this.release();
    else this.pump();
  }

  /** drop what is queued: it counts as settled */
  private drop(): void {
    this.dropped = true;
    this.queue.length = 0;
    this.ledger.settleAll();
  }

  private fail(op: 'opening' | 'writing', e: unknown): void {
    if (this.failure !== undefined || this.aborted) return;
    this.failure = `error ${op} ${this.opts.what} '${this.opts.display ?? this.path}': ${sysErrorText(e)}`;
    this.drop();
    this.release();
    for (const cb of this.errorCbs.splice(0)) cb(this.failure);
  }

  /** close the descriptor, once no write is in flight */
  private release(): void {
    this.released = true;
    // a pipe's write in flight (a reader that stopped reading) is cancelled: its callback errs
    if (this.pipe) {
      this.pipe.destroy();
      this.pipe = undefined;
    }
    if (this.busy) return;
    if (this.fd !== undefined) {
      fs.close(this.fd, () => {});
      this.fd = undefined;
    }
  }
}
