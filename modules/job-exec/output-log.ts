/**
 * The output log of one job, on rank 0: its RFC 24 events (header, data, eof,
 * redirect, log) as RFC 18 JSON lines, in three places. A data event's data
 * is text when the task wrote UTF-8, else base64 with `"encoding":"base64"`
 * (RFC 24, lib/io-data.ts): the log holds the bytes exactly.
 *
 * - on disk, one file per job, `<statedir>/job-output/<id>.eventlog`, written
 *   through a FileSink: all of the output however large, outside the heap. It
 *   is what `flux job attach` reads, and it stays until the job is purged (the
 *   statedir is the instance's persistent state: a restarted instance adopts
 *   the files of earlier runs, OutputLog.adopt).
 * - readers (`job-exec.output-read`) get it in chunks of at most READ_CHUNK
 *   bytes of complete lines from the file, a read waiting while the job runs
 *   and nothing new has been written. A reader on this host that may open the
 *   file (the instance owner) asks with `direct` and gets only where the
 *   complete lines end and which file it is (path, device, inode), and reads
 *   the lines itself: a GiB replay then costs the broker no copies at all.
 * - a copy in the kvs at `job.<id>.guest.output` for kvs readers (`flux job
 *   eventlog -p output`), holding each stream's data up to KVS_COPY_LIMIT
 *   bytes: past that, data events stay out of the copy and one warning entry
 *   says so (Flux's output.limit truncation, but the file keeps everything).
 *
 * A job whose output is small never waits on a file while it runs: its
 * lines are held in memory (HOLD_LIMIT bytes a job, HOLD_TOTAL for all) and
 * served from there. At its end the kvs copy, when it is all of the log byte
 * for byte, is the log: no file at all (settleInKvs; later reads, after a
 * restart too, come from the kvs: fromKvs). With a persistent statedir that
 * copy is what a crash keeps: the kvs commits it in its group commits, every
 * few milliseconds (ADR 0013). Else the file is written once, at its end, or
 * as soon as the log outgrows the hold: one threadpool round trip (the
 * addon's writeWhole) instead of open, a write per batch of output, and
 * close. A file made and deleted per job had cost a short job a pool trip or
 * two and an ext4 inode (issue 16's throughput).
 *
 * Memory: what is queued for the file is bounded by the shells' output windows
 * (they stop reading their tasks' pipes until rank 0 acknowledges), the kvs
 * copy by its limit, a read by READ_CHUNK.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, FluxError, type Handle, type Message } from '../../kernel/api';
import { FileSink } from './file-sink';
import { writeWhole } from './file-ops';
import { sysErrorText } from './sys-error';
import type { OutEvent } from './shell';
import { dataBytes } from '../../lib/io-data';

/** shared switch: false once the kvs answered ENOSYS (not loaded) */
export const kvsState = { available: true };

/** bytes of one stream's data the kvs copy holds */
export const KVS_COPY_LIMIT = 1024 * 1024;
const KVS_COPY_LIMIT_TEXT = '1M';
/** the most a read returns (complete lines) */
export const READ_CHUNK = 1024 * 1024;
/** bytes of a running job's log held in memory before its file is written (a temporary statedir) */
export const HOLD_LIMIT = 16 * 1024;
/** bytes all the held logs together may have: past that, a log goes to its file at once */
export const HOLD_TOTAL = 4 * 1024 * 1024;
let heldTotal = 0;
/** a line longer than this is not ours: the file is damaged */
const MAX_LINE = 16 * READ_CHUNK;

/** What `job-exec.output-read` answers. */
export interface OutputChunk {
  /** complete RFC 18 lines (empty for a direct read) */
  log: string;
  /** where the next read starts */
  offset: number;
  /** the job is over and everything has been read */
  eof: boolean;
  /** direct: the file, and where its complete lines end (read [offset, size) from it) */
  path?: string;
  dev?: number;
  ino?: number;
  size?: number;
}

interface HeldRead {
  msg: Message;
  offset: number;
  direct: boolean;
}

/**
 * the kvs copy: appended in order, one kvs.eventlog-append in flight, later
 * events batched behind it; answered once queued for the disk ({durable: false}, ADR 0013)
 */
class KvsCopy {
  private queue: OutEvent[] = [];
  private inflight = false;
  /** close() was called: no more appends */
  private closing = false;
  /** the close went (with the last append, or on its own) */
  private closeSent = false;
  private readonly bytes = new Map<string, number>();
  private idle: Array<() => void> = [];

  constructor(
    private readonly h: Handle,
    readonly key: string,
  ) {}

  append(evs: readonly OutEvent[]): void {
    if (!kvsState.available) return;
    for (const e of evs) {
      const c = e.context;
      if (e.name === 'data' && typeof c['data'] === 'string') {
        const stream = String(c['stream']);
        const before = this.bytes.get(stream) ?? 0;
        const after = before + dataBytes(c);
        this.bytes.set(stream, after);
        if (after > KVS_COPY_LIMIT) {
          if (before <= KVS_COPY_LIMIT) this.queue.push(truncationWarning(e.timestamp, stream));
          continue;
        }
      }
      this.queue.push(e);
    }
    if (!this.inflight && this.queue.length > 0) this.pump();
  }

  private pump(): void {
    const batch = this.queue;
    this.queue = [];
    this.inflight = true;
    const close = this.closing;
    if (close) this.closeSent = true;
    this.h
      .rpc('kvs.eventlog-append', { key: this.key, entries: batch, durable: false, ...(close ? { close: true } : {}) })
      .then(
        () => undefined,
        (e: unknown) => {
          if (e instanceof FluxError && e.errno === Errno.ENOSYS) kvsState.available = false;
          else this.h.log('err', `${this.key}: append failed: ${(e as Error).message}`);
        },
      )
      .then(() => {
        this.inflight = false;
        if (this.queue.length > 0 && kvsState.available) this.pump();
        else {
          this.queue = [];
          if (this.closing && !this.closeSent && kvsState.available) this.sendClose();
          for (const f of this.idle.splice(0)) f();
        }
      });
  }

  /** resolves when everything appended so far is in the kvs */
  flushed(): Promise<void> {
    if (!this.inflight && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  /**
   * Nothing more is appended: the log is closed after what is queued, by the
   * last append itself (kvs.eventlog-append {close}) when one is still to go.
   */
  close(): void {
    if (!kvsState.available || this.closing) return;
    this.closing = true;
    if (!this.inflight && this.queue.length === 0) this.sendClose();
  }

  private sendClose(): void {
    this.closeSent = true;
    this.h.send('kvs.eventlog-close', { key: this.key, durable: false });
  }
}

function truncationWarning(timestamp: number, stream: string): OutEvent {
  return {
    timestamp,
    name: 'log',
    context: {
      level: 4,
      component: 'output',
      rank: '0',
      message: `${stream} will be truncated in the kvs, ${KVS_COPY_LIMIT_TEXT} limit exceeded (flux job attach shows all of it)`,
    },
  };
}

export class OutputLog {
  /** the file */
  readonly path: string;
  private readonly sink: FileSink;
  private readonly kvs: KvsCopy;
  /** no more appends */
  private closed = false;
  /** closed and all of it in the file: reads at the end say eof */
  private complete = false;
  private removed = false;
  private readonly held = new Set<HeldRead>();
  /** an adopted file (an earlier run's): its size, fixed */
  private adoptedSize: number | undefined;
  /** the whole log, from its kvs copy: a log that has no file (settleInKvs, fromKvs) */
  private kept: Buffer | undefined;
  /** the lines held in memory, not yet given to the file (hold mode, until spill()) */
  private hold: { lines: string[]; bytes: number } | undefined;
  /** what spill() gave the file, served from here until the file has all of it */
  private spilled: Buffer | undefined;
  /** bytes of a held log written whole at its end (writeHeld) */
  private written = 0;
  /** the file's open that spill() started (close() waits for it: a sink closed while opening gives up) */
  private spillOpen: Promise<boolean> | undefined;

  /**
   * The output log of a job an earlier run of the instance ran: the file as
   * it is, complete, up to its last complete line (a broker killed mid-write
   * can leave a partial one). Undefined when there is no such file.
   */
  static async adopt(h: Handle, id: number, dir: string, kvsKey: string): Promise<OutputLog | undefined> {
    const size = await completeLength(path.join(dir, `${id}.eventlog`));
    return size === undefined ? undefined : OutputLog.closedFile(h, id, dir, kvsKey, size);
  }

  /**
   * The output log of an ended job that has no file because its kvs copy is
   * all of it (settleInKvs): that copy, read now. Undefined when the kvs has
   * no such log (a job not run here, or purged); another failure of the kvs
   * is thrown, naming the key.
   */
  static async fromKvs(h: Handle, id: number, dir: string, kvsKey: string): Promise<OutputLog | undefined> {
    let value: unknown;
    try {
      value = (await h.rpc<{ value?: unknown }>('kvs.get', { key: kvsKey })).value;
    } catch (e) {
      const fe = e as FluxError;
      if (fe.errno === Errno.ENOENT || fe.errno === Errno.ENOSYS) return undefined;
      throw new FluxError(fe.errno || Errno.EIO, `${kvsKey}: ${fe.message}`);
    }
    if (typeof value !== 'string') return undefined;
    const kept = Buffer.from(value, 'utf8');
    const log = OutputLog.closedFile(h, id, dir, kvsKey, kept.length);
    log.kept = kept;
    return log;
  }

  /** The log of a job that ended, as its file holds it (size bytes of complete lines). */
  static closedFile(h: Handle, id: number, dir: string, kvsKey: string, size: number): OutputLog {
    const log = new OutputLog(h, id, dir, kvsKey, () => undefined, false);
    log.adoptedSize = size;
    log.closed = true;
    log.complete = true;
    return log;
  }

  /**
   * Closed, all of it in its file and no read waiting: the size of the file,
   * and the log need not be kept (adopt() serves it again). Undefined
   * while the log still has something only in memory or a read to answer.
   */
  settledSize(): number | undefined {
    if (!this.complete || this.removed || this.hold || this.spilled !== undefined || this.held.size > 0) return undefined;
    return this.size;
  }

  /**
   * dir: the directory of the job's file; onError(note): the file failed (the
   * job's exception); hold: small output is held in memory until the job ends
   * (its kvs copy has it too)
   */
  constructor(
    private readonly h: Handle,
    readonly id: number,
    dir: string,
    kvsKey: string,
    private onError: (note: string) => void,
    hold = false,
  ) {
    this.path = path.join(dir, `${id}.eventlog`);
    if (hold) this.hold = { lines: [], bytes: 0 };
    const progress = () => {
      if (this.spilled !== undefined && this.sink.bytesWritten >= this.spilled.length) this.spilled = undefined;
      this.serveHeld();
    };
    this.sink = new FileSink(this.path, { what: 'output log', mode: 0o600, ownFile: true, onProgress: progress });
    this.sink.onError((note) => this.onError(note));
    this.kvs = new KvsCopy(h, kvsKey);
  }

  /** open the file (before the job's tasks start); false: it failed (onError said why) */
  open(): Promise<boolean> {
    // held: the file is opened when it is written
    return this.hold ? Promise.resolve(true) : this.sink.open();
  }

  /** the job ends before it started: stop an open in progress */
  abortOpen(): void {
    if (!this.hold && !this.sink.isOpen) this.sink.abort();
  }

  append(evs: readonly OutEvent[]): void {
    if (evs.length === 0 || this.closed) return;
    let i = 0;
    const held = this.hold;
    if (held) {
      for (; i < evs.length; i++) {
        const line = JSON.stringify(evs[i]) + '\n';
        const bytes = Buffer.byteLength(line);
        if (held.bytes + bytes > HOLD_LIMIT || heldTotal + bytes > HOLD_TOTAL) {
          this.spill();
          break;
        }
        held.lines.push(line);
        held.bytes += bytes;
        heldTotal += bytes;
      }
      if (this.hold) this.serveHeld();
    }
    // one write per line: joining them would copy every byte of output once more
    for (; i < evs.length; i++) this.sink.write(JSON.stringify(evs[i]) + '\n');
    this.kvs.append(evs);
  }

  /**
   * A held log at its job's end: its file written whole in one trip to the
   * pool (the addon's writeWhole), served from memory meanwhile (and after a
   * failure, which is the job's exception as the sink's would be). False
   * when it goes through the sink instead (nothing held, or no addon).
   */
  private async writeHeld(): Promise<boolean> {
    const held = this.hold;
    if (!held || held.bytes === 0) return false;
    const text = held.lines.join('');
    const written = writeWhole(this.path, text, 0o600);
    if (!written) return false;
    this.hold = undefined;
    heldTotal -= held.bytes;
    const mem = Buffer.from(text, 'utf8');
    this.spilled = mem;
    const failed = await written;
    if (this.removed) {
      // purged (or unloaded) meanwhile: the file it made goes too
      if (!failed) await fs.promises.rm(this.path, { force: true }).catch(() => undefined);
      return true;
    }
    if (failed) this.onError(`error ${failed.op} output log '${this.path}': ${sysErrorText(failed.error)}`);
    else {
      this.written = mem.length;
      this.spilled = undefined;
    }
    return true;
  }

  /** what is held goes to the file, which is opened now; later lines follow it there */
  private spill(): void {
    const held = this.hold;
    if (!held) return;
    this.hold = undefined;
    heldTotal -= held.bytes;
    if (held.bytes === 0) return;
    const text = held.lines.join('');
    this.spilled = Buffer.from(text, 'utf8');
    this.spillOpen = this.sink.open();
    this.sink.write(text);
  }

  /** resolves when everything appended so far is in the file and the kvs copy */
  flushed(): Promise<void> {
    return Promise.all([this.sink.flushed(), this.kvs.flushed()]).then(() => undefined);
  }

  /**
   * A held log at its job's end, when its kvs copy
   * is all of it byte for byte (the same RFC 18 lines, so the same offsets):
   * no file is written. Reads are served from the kvs copy (fromKvs), and
   * the purge that removes the job's kvs directory removes the log. A file a
   * job, made and later deleted, cost the broker's pool a trip and ext4 an
   * inode each time (~4% of a `true` job's CPU, most of it in ext4's search
   * for a free inode past the recently deleted ones).
   */
  private async settleInKvs(copied: Promise<void>): Promise<boolean> {
    const held = this.hold;
    if (!held || !kvsState.available) return false;
    await copied;
    if (this.removed || this.hold !== held) return false;
    const text = held.lines.join('');
    let value: unknown;
    try {
      value = (await this.h.rpc<{ value?: unknown }>('kvs.get', { key: this.kvs.key })).value;
    } catch {
      return false;
    }
    if (value !== text || this.removed || this.hold !== held) return false;
    this.hold = undefined;
    heldTotal -= held.bytes;
    this.written = held.bytes;
    this.kept = Buffer.from(text, 'utf8');
    return true;
  }

  /** the job is over: flush, close the file and the kvs copy, end the reads */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // the file and the kvs copy are flushed at the same time
    const copied = this.kvs.flushed();
    // nothing more goes to the kvs copy: it is closed with its last batch
    this.kvs.close();
    if (!(await this.settleInKvs(copied)) && !(await this.writeHeld())) {
      this.spill();
      if (this.spillOpen) await this.spillOpen;
      await this.sink.close();
    }
    this.complete = true;
    await copied;
    this.serveHeld();
    // the log outlives its job (reads, until the purge): it must not keep the job alive through this callback
    this.onError = () => {};
  }

  /** `output-size`: bytes of complete lines in the file so far, and whether that is all */
  sizeNow(): { size: number; complete: boolean } {
    return { size: this.size, complete: this.complete };
  }

  /** bytes of complete lines in the file */
  private get size(): number {
    if (this.adoptedSize !== undefined) return this.adoptedSize;
    if (this.hold) return this.hold.bytes;
    return Math.max(this.sink.bytesWritten, this.spilled?.length ?? 0, this.written);
  }

  /** the lines from the start that are served from memory (held, or spilled and not yet all written) */
  private inMemory(): Buffer | undefined {
    if (this.hold) return Buffer.from(this.hold.lines.join(''), 'utf8');
    return this.spilled ?? this.kept;
  }

  /**
   * `job-exec.output-read {id, offset, wait}`: the lines from offset (at most
   * READ_CHUNK bytes); with wait, a read at the end waits for more or the end.
   */
  read(msg: Message, offset: number, wait: boolean, direct = false): void {
    if (this.removed) {
      this.h.respondError(msg, Errno.ENOENT, 'No such job');
      return;
    }
    if (!Number.isInteger(offset) || offset < 0 || offset > this.size) {
      this.h.respondError(msg, Errno.EINVAL, `output-read: offset ${offset} is outside the output log (${this.size} bytes)`);
      return;
    }
    if (offset < this.size || this.complete || !wait) this.serve(msg, offset, direct);
    else this.held.add({ msg, offset, direct });
  }

  /** drop the reads of a client that went away */
  unwatch(match: (m: Message) => boolean): void {
    for (const r of this.held) if (match(r.msg)) this.held.delete(r);
  }

  /** the job was purged (or job-exec unloads): end the reads and delete the file (unless keepFile) */
  remove(keepFile = false): Promise<void> {
    this.removed = true;
    this.closed = true;
    this.complete = true;
    this.sink.abort();
    if (this.hold) heldTotal -= this.hold.bytes;
    this.hold = undefined;
    this.spilled = undefined;
    this.kept = undefined;
    for (const r of this.held) this.h.respondError(r.msg, Errno.ENOENT, 'No such job');
    this.held.clear();
    if (keepFile) return Promise.resolve();
    return fs.promises.rm(this.path, { force: true }).catch(() => undefined);
  }

  /** device and inode of the file (a direct reader checks it opened this very file) */
  private ident: Promise<{ dev: number; ino: number }> | undefined;
  private identity(): Promise<{ dev: number; ino: number }> {
    // a failure is not kept: the file of a held log exists once it is written
    return (this.ident ??= fs.promises.stat(this.path).then(
      (st) => ({ dev: st.dev, ino: st.ino }),
      (e: unknown) => {
        this.ident = undefined;
        throw e;
      },
    ));
  }

  private serveHeld(): void {
    for (const r of this.held) {
      if (r.offset < this.size || this.complete) {
        this.held.delete(r);
        this.serve(r.msg, r.offset, r.direct);
      }
    }
  }

  private serve(msg: Message, offset: number, direct: boolean): void {
    const end = this.size;
    const mem = offset < end ? this.inMemory() : undefined;
    if (mem !== undefined && offset < mem.length) {
      // held lines are whole and fewer than READ_CHUNK bytes: all of them from offset
      const log = mem.toString('utf8', offset);
      const next = mem.length;
      this.h.respond(msg, { log, offset: next, eof: this.complete && next >= this.size } satisfies OutputChunk);
      return;
    }
    if (direct && offset < end) {
      this.identity().then(
        (id) => this.h.respond(msg, { log: '', offset, eof: false, size: end, path: this.path, ...id } satisfies OutputChunk),
        () => this.serve(msg, offset, false),
      );
      return;
    }
    if (offset >= end) {
      this.h.respond(msg, { log: '', offset, eof: this.complete } satisfies OutputChunk);
      return;
    }
    readLines(this.path, offset, end).then(
      (log) => {
        const next = offset + Buffer.byteLength(log);
        this.h.respond(msg, { log, offset: next, eof: this.complete && next >= this.size } satisfies OutputChunk);
      },
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') this.h.respondError(msg, Errno.ENOENT, 'No such job');
        else this.h.respondError(msg, Errno.EIO, `${this.path}: ${e.message}`);
      },
    );
  }
}

/** bytes up to the file's last newline (undefined: no such file) */
async function completeLength(file: string): Promise<number | undefined> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const nl = buf.lastIndexOf(0x0a, bytesRead - 1);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** READ_CHUNK buffers for reads, kept for the next ones (a new Buffer per read is native memory until a GC) */
const spare: Buffer[] = [];
const SPARE_MAX = 4;

/** complete lines of the file from offset, at most READ_CHUNK bytes of them (more only for one longer line) */
async function readLines(file: string, offset: number, end: number): Promise<string> {
  const fh = await fs.promises.open(file, 'r');
  const pooled = spare.pop() ?? Buffer.allocUnsafe(READ_CHUNK);
  try {
    for (let want = READ_CHUNK; ; want *= 2) {
      const len = Math.min(end - offset, want);
      const buf = len <= pooled.length ? pooled : Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      const nl = bytesRead > 0 ? buf.lastIndexOf(0x0a, bytesRead - 1) : -1;
      if (nl >= 0) return buf.toString('utf8', 0, nl + 1);
      if (len >= end - offset || want >= MAX_LINE) throw Object.assign(new Error('output log line too long'), { code: 'EIO' });
    }
  } finally {
    if (spare.length < SPARE_MAX) spare.push(pooled);
    await fh.close();
  }
}
