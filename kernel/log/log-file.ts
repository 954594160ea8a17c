/**
 * `log-filename` (flux-broker-attributes(7)): the leader appends every entry
 * that enters its log ring (its own and those forwarded by other ranks, as
 * `flux dmesg` shows them) to this file. The file is opened at start, so a
 * path that cannot be written stops the broker with one line; writes are
 * asynchronous, and while the disk holds more than MAX_PENDING bytes unwritten
 * new entries are dropped and counted (the count is written once it drains).
 */
import * as fs from 'node:fs';
import { formatDmesg, type LogRing } from './log-ring';

const MAX_PENDING = 4 << 20;

export class LogFile {
  private dropped = 0;
  private failed = false;
  private readonly stop: () => void;

  private constructor(
    private readonly stream: fs.WriteStream,
    ring: LogRing,
  ) {
    stream.on('error', () => {
      this.failed = true;
    });
    for (const e of ring.all()) this.write(formatDmesg(e));
    this.stop = ring.listen((e) => this.write(formatDmesg(e)));
  }

  /** Open (append, create 0600) at start; throws with the system's reason. */
  static open(file: string, ring: LogRing): LogFile {
    let fd: number;
    try {
      fd = fs.openSync(file, 'a', 0o600);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot open: ${err.code ?? err.message}`, { cause: e });
    }
    return new LogFile(fs.createWriteStream('', { fd }), ring);
  }

  private write(line: string): void {
    if (this.failed) return;
    if (this.stream.writableLength > MAX_PENDING) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      this.stream.write(`(${this.dropped} log entries dropped: the log file did not keep up)\n`);
      this.dropped = 0;
    }
    this.stream.write(line + '\n');
  }

  close(): Promise<void> {
    this.stop();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
