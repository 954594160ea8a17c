/**
 * flux watch --progress: one status line kept at the bottom of the terminal,
 * `PD:1 R:2 CD:3 F:0 │██████      │ 50.0% 3.2s` (pending, running, completed
 * with success, failed or canceled; the share of jobs finished; the time since
 * the earliest watched job was submitted, or jobs per second with --jps).
 * Job output written while it shows is put above it: write() clears the line,
 * writes, and draws it again.
 */
import { endsWithNewline } from '../../lib/io-data';

export interface Counts {
  pending: number;
  running: number;
  complete: number;
  failed: number;
}

const WIDTH = 30;

export function formatElapsed(secs: number): string {
  if (secs < 60) return `${secs.toFixed(1)}s`;
  const s = Math.floor(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The status line's text for these counts. */
export function progressLine(c: Counts, total: number, elapsed: number, jps: boolean): string {
  const done = c.complete + c.failed;
  const frac = total > 0 ? done / total : 1;
  const fill = Math.round(frac * WIDTH);
  const bar = '█'.repeat(fill) + ' '.repeat(WIDTH - fill);
  const tail = jps ? `${(elapsed > 0 ? done / elapsed : 0).toFixed(1)} job/s` : formatElapsed(elapsed);
  return `PD:${c.pending} R:${c.running} CD:${c.complete} F:${c.failed} │${bar}│${(frac * 100).toFixed(1).padStart(6)}% ${tail}`;
}

export class ProgressBar {
  private shown = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly counts: () => Counts,
    private readonly total: number,
    private readonly start: number,
    private readonly jps: boolean,
  ) {}

  begin(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
  }

  draw(): void {
    const line = progressLine(this.counts(), this.total, Math.max(0, Date.now() / 1000 - this.start), this.jps);
    this.out.write(`\r\x1b[K${line}`);
    this.shown = true;
  }

  /** Write job output above the status line. */
  write(stream: NodeJS.WriteStream, text: string | Buffer): void {
    if (this.shown) process.stdout.write('\r\x1b[K');
    this.shown = false;
    stream.write(text);
    if (!endsWithNewline(text)) stream.write('\n');
    this.draw();
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    this.out.write('\n');
  }
}
