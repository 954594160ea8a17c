/**
 * The tasks' stdin from a file (the input-file shell plugin), opened and read
 * without blocking the broker's event loop: open() in the threadpool with
 * O_NONBLOCK (a FIFO opens at once, and its data then comes through a libuv
 * pipe handle as a writer provides it, end of file when the writer closes);
 * other files are read in the threadpool. The data is copied to every task's
 * stdin (as Flux broadcasts an input file), pausing the reading while a task
 * does not keep up, so a big file never sits in the broker's memory.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { InputSource } from './plugin-api';
import { sysErrorText } from './sys-error';

const { O_RDONLY, O_NONBLOCK, O_NOCTTY } = fs.constants;

/** a task's stdin as the copy sees it (a pipe, or a pty) */
export interface StdinTarget {
  /** false: full, wait for whenReady() */
  write(chunk: Buffer): boolean;
  end(): void;
  /** cb once it can take more data, or is gone */
  whenReady(cb: () => void): void;
  /** closed or ended: skip it */
  readonly done: boolean;
}

/** a Writable (a task's stdin pipe) as a StdinTarget */
export function writableTarget(w: Writable): StdinTarget {
  return {
    write: (chunk) => w.write(chunk),
    end: () => w.end(),
    whenReady(cb) {
      const done = () => {
        w.off('drain', done);
        w.off('close', done);
        w.off('error', done);
        cb();
      };
      w.once('drain', done);
      w.once('close', done);
      w.once('error', done);
    },
    get done() {
      return w.destroyed || w.writableEnded;
    },
  };
}

export class FileInput implements InputSource {
  private stream: Readable | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    readonly display: string,
  ) {}

  /** open the file; rejects with the one-line error (`error opening input file 'PATH': ...`) */
  async open(): Promise<void> {
    let fd: number;
    try {
      fd = await new Promise<number>((resolve, reject) =>
        fs.open(this.path, O_RDONLY | O_NONBLOCK | O_NOCTTY, (e, n) => (e ? reject(e) : resolve(n))),
      );
    } catch (e) {
      throw new Error(`error opening input file '${this.display}': ${sysErrorText(e)}`, { cause: e });
    }
    const st = await new Promise<fs.Stats | undefined>((resolve) => fs.fstat(fd, (e, s) => resolve(e ? undefined : s)));
    if (this.closed) {
      fs.close(fd, () => {});
      return;
    }
    this.stream =
      st && (st.isFIFO() || st.isSocket())
        ? new net.Socket({ fd, readable: true, writable: false })
        : fs.createReadStream(this.path, { fd, highWaterMark: 64 * 1024 });
  }

  /**
   * Copy to every target, pausing while any of them is full; end them all at
   * end of file. A read error ends them too and is reported to onError.
   */
  pipeTo(targets: readonly StdinTarget[], onError: (note: string) => void): void {
    const src = this.stream;
    if (!src) return;
    const open = () => targets.filter((t) => !t.done);
    let waiting = 0;
    const ready = () => {
      if (--waiting === 0) src.resume();
    };
    src.on('data', (chunk: Buffer) => {
      for (const t of open()) {
        if (t.write(chunk)) continue;
        waiting++;
        t.whenReady(ready);
      }
      if (waiting > 0) src.pause();
    });
    src.on('end', () => {
      for (const t of open()) t.end();
    });
    src.on('error', (e) => {
      for (const t of open()) t.end();
      if (!this.closed) onError(`error reading input file '${this.display}': ${sysErrorText(e)}`);
    });
  }

  /** stop reading (the shell is done) */
  close(): void {
    this.closed = true;
    this.stream?.destroy();
  }
}
