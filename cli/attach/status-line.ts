/**
 * `flux job attach --show-status`: while the job waits, one line on stderr
 * that says what it waits for and for how long, rewritten in place every
 * second (`flux-job: ƒ2rr6bpT waiting for resources      00:00:05`) and
 * ended with a newline once the job starts or ends.
 */

/** what the job is doing after each main eventlog event (Flux's wording) */
function phase(name: string, context: Record<string, unknown>): string | undefined {
  switch (name) {
    case 'submit':
      return 'submitted';
    case 'validate':
      return 'resolving dependencies';
    case 'depend':
      return 'waiting for priority assignment';
    case 'priority':
      return 'waiting for resources';
    case 'alloc':
      return 'starting';
    case 'exception':
      return Number(context['severity'] ?? 0) === 0 ? 'canceling due to exception' : undefined;
    case 'start':
      return 'started';
    default:
      return undefined;
  }
}

export class StatusLine {
  private msg = 'submitted';
  private t0: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private over = false;

  constructor(
    private readonly f58: string,
    private readonly write: (s: string) => void,
  ) {}

  /** a main eventlog event: the message changes; start and clean end the line */
  event(name: string, timestamp: number, context: Record<string, unknown>): void {
    if (this.over) return;
    this.t0 ??= timestamp;
    this.msg = phase(name, context) ?? this.msg;
    if (name === 'start' || name === 'clean') {
      this.end();
      return;
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
    this.draw();
  }

  /** clear the line before another line goes to stderr */
  clear(): void {
    if (this.shown && !this.over) this.write('\r\x1b[K');
  }

  end(): void {
    if (this.over) return;
    this.over = true;
    if (this.timer) clearInterval(this.timer);
    if (this.shown) {
      this.draw(true);
      this.write('\n');
    }
  }

  private draw(force = false): void {
    if (this.over && !force) return;
    this.shown = true;
    const dt = Math.max(0, Math.floor(Date.now() / 1000 - (this.t0 ?? Date.now() / 1000)));
    const width = Math.max(1, (process.stderr.columns || 80) - 20 - this.f58.length);
    const hms = [Math.floor(dt / 3600), Math.floor(dt / 60) % 60, dt % 60].map((n) => String(n).padStart(2, '0')).join(':');
    this.write(`\rflux-job: ${this.f58} ${this.msg.padEnd(width)} ${hms}\r`);
  }
}
