/**
 * What happens when a job's first task exits while others still run (Flux's
 * "doom" shell plugin): shell option `exit-timeout` (default 30 s, `none`
 * disables) raises a fatal exception that long after the first exit, so a job
 * whose other tasks wait forever for the dead one (an MPI barrier) still ends;
 * `exit-on-error` raises it at once when a task exits non-zero or is killed.
 * flux batch and flux alloc set exit-timeout=none: an instance survives a lost
 * leaf.
 */
import { fsd, longTimeout, type LongTimer } from '../../../kernel/api';
import { DEFAULT_EXIT_TIMEOUT_S, exitTimeoutSeconds } from '../../../lib/exit-timeout';

export class Doom {
  private readonly timeoutS: number | undefined;
  private readonly onError: boolean;
  private timer: LongTimer | undefined;
  private first = true;
  private done = false;

  constructor(
    options: Record<string, unknown>,
    private readonly raise: (note: string) => void,
  ) {
    // job-ingest refused a value exitTimeoutSeconds cannot read; the default stands in for one all the same
    const t = exitTimeoutSeconds(options['exit-timeout']);
    this.timeoutS = t === 'invalid' ? DEFAULT_EXIT_TIMEOUT_S : t;
    const e = options['exit-on-error'];
    this.onError = e !== undefined && e !== false && e !== 0 && e !== '0';
  }

  /** a task of the job exited with `status` (exit code, or 128+signal) */
  taskExit(rank: number, host: string, status: number): void {
    if (this.done) return;
    if (this.onError && status !== 0) {
      this.fire(`doom: rank ${rank} on host ${host} exited with status ${status} and exit-on-error is set`);
      return;
    }
    if (!this.first) return;
    this.first = false;
    const secs = this.timeoutS;
    if (secs === undefined) return;
    // a long timer: exit-timeout is the user's to choose, days included
    this.timer = longTimeout(() => this.fire(`doom: first task (rank ${rank} on host ${host}) exited ${fsd.formatPy(secs)} ago`), secs * 1000).unref();
  }

  /** the job ended */
  stop(): void {
    this.done = true;
    this.timer?.clear();
  }

  private fire(note: string): void {
    if (this.done) return;
    this.stop();
    this.raise(note);
  }
}
