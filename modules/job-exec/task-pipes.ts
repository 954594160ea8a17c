/**
 * A task's pipes without a net.Socket each (native-spawn.ts): making, reading
 * to its end and tearing down a net.Socket cost the broker ~100 us of CPU a
 * pipe, three a job, where a `true` job's whole broker CPU is ~1 ms.
 *
 * - PipeReader: an output pipe read on the loop by the addon (readPipe,
 *   native/pipe-reader.h). It emits 'data' (a view of one buffer shared by
 *   every pipe: valid until the listeners return, copy what must outlive
 *   them), 'end' at end of file, 'error' for a failed read (only when someone
 *   listens, as the job shell does: else it ends as at end of file), then
 *   'close'. Unlike a
 *   Readable, it reads whether or not anyone listens: pause() it at once if
 *   the data is wanted later.
 * - PipeWriter: a task's stdin, a Writable that makes its net.Socket at the
 *   first write. Most jobs never get input: their stdin is closed unwritten.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { getSystemErrorName } from 'node:util';

/** the addon's part that reads pipes (native/pipe-reader.h) */
export interface PipeAddon {
  readPipe(fd: number, buffer: Buffer, onRead: (n: number) => void): object;
  pipeControl(handle: object, op: number): void;
}

const PAUSE = 0;
const RESUME = 1;
const CLOSE = 2;

/** every pipe's reads land here (one read at a time on the loop): no buffer per pipe to be collected */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

export class PipeReader extends EventEmitter {
  destroyed = false;
  readableEnded = false;
  private paused = false;
  private readonly handle: object;

  constructor(
    private readonly addon: PipeAddon,
    fd: number,
  ) {
    super();
    this.handle = addon.readPipe(fd, READ_BUFFER, (n) => this.onRead(n));
  }

  private onRead(n: number): void {
    if (n > 0) {
      this.emit('data', READ_BUFFER.subarray(0, n));
      return;
    }
    // the addon closed the pipe
    this.destroyed = true;
    if (n < 0 && this.listenerCount('error') > 0) {
      const code = getSystemErrorName(n);
      this.emit('error', Object.assign(new Error(`read: ${code}`), { code, errno: n }));
    } else {
      this.readableEnded = true;
      this.emit('end');
    }
    process.nextTick(() => this.emit('close'));
  }

  pause(): this {
    if (!this.paused && !this.destroyed) {
      this.paused = true;
      this.addon.pipeControl(this.handle, PAUSE);
    }
    return this;
  }

  resume(): this {
    if (this.paused && !this.destroyed) {
      this.paused = false;
      this.addon.pipeControl(this.handle, RESUME);
    }
    return this;
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** stop reading as if at end of file: 'end', then 'close' */
  endNow(): void {
    if (this.destroyed) return;
    this.readableEnded = true;
    this.emit('end');
    this.destroy();
  }

  /** stop reading and close the pipe: 'close' follows, nothing else */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.addon.pipeControl(this.handle, CLOSE);
    process.nextTick(() => this.emit('close'));
    return this;
  }
}

export class PipeWriter extends Writable {
  private socket: net.Socket | undefined;

  constructor(private readonly fd: number) {
    super();
  }

  private open(): net.Socket {
    if (this.socket) return this.socket;
    const s = new net.Socket({ fd: this.fd, readable: false, writable: true });
    // EPIPE (the task closed its stdin) and the like end this stream with the error
    s.on('error', (e) => this.destroy(e));
    this.socket = s;
    return s;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.open().write(chunk, (e) => cb(e));
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.socket) this.socket.end(() => cb());
    else cb();
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (this.socket) this.socket.destroy();
    else {
      try {
        // the write end of a pipe: its close never waits on the reader
        fs.closeSync(this.fd);
      } catch {
        /* already gone */
      }
    }
    cb(e);
  }
}
