/**
 * Signal handling while attached (flux-job attach): the first Ctrl-C prints a
 * hint, a second within 2 s cancels the job; Ctrl-Z right after a Ctrl-C
 * detaches; SIGTERM, SIGHUP, SIGALRM, SIGUSR1 and SIGUSR2 are forwarded to the
 * job's tasks. Ctrl-C works the same before the job starts (as Flux: a stray
 * one never throws a queued job away; the second cancels it, exit 1). Before
 * the job starts there are no tasks to signal: SIGTERM or SIGHUP cancels it
 * at once and the command exits 128+signal, when the command owns the job
 * (flux run, flux alloc; Flux would say `kill: job is not running` and wait);
 * flux job attach, a watcher of a job that may be someone else's, detaches
 * instead and leaves the job pending.
 */
import * as os from 'node:os';
import { Errno } from '../../lib/errno';
import { FluxError } from '../../lib/errors';
import type { Client } from '../api/client';
import { endCommand } from '../exit';
import { service } from '../api/protocol';
import type { JobManagerProtocol } from '../../lib/protocol/job-manager';

const jobManager = service<JobManagerProtocol>('job-manager');

const FORWARD: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGALRM', 'SIGUSR1', 'SIGUSR2'];

/** the signals that cancel (or detach from) a job that has not started */
const CANCELS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export class SignalForwarder {
  private lastInt = 0;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();
  private running = false;
  /** the signal that canceled the job while it was pending */
  canceledBy: number | undefined;

  constructor(
    private readonly client: Client,
    private readonly id: number,
    private readonly f58: string,
    /** the command submitted the job: a SIGTERM or SIGHUP before it starts cancels it */
    private readonly ownsJob = false,
  ) {}

  /** the job started: signals go to its tasks from now on */
  started(): void {
    this.running = true;
  }

  install(): void {
    this.on('SIGINT', () => this.onInt());
    this.on('SIGTSTP', () => {
      if (Date.now() - this.lastInt <= 2000) {
        process.stderr.write(`flux-job: detaching from ${this.f58}...\n`);
        endCommand(0);
      }
    });
    for (const s of FORWARD) {
      this.on(s, () => {
        if (this.running || !CANCELS.includes(s)) void this.forward(os.constants.signals[s]);
        else if (this.ownsJob) this.cancelPending(s);
        else this.detachPending(s);
      });
    }
  }

  /** A pending job has no tasks: cancel it (the exception ends the attach). */
  private cancelPending(s: NodeJS.Signals): void {
    if (this.canceledBy !== undefined) return;
    this.canceledBy = os.constants.signals[s];
    jobManager.call(this.client, 'raise', { id: this.id, type: 'cancel', severity: 0, note: `interrupted by ${s}` }).catch((e: Error) => {
      process.stderr.write(`flux-job: cancel: ${e.message}
`);
      // nothing will end the attach: leave as the signal would have made us
      process.exit(128 + this.canceledBy!);
    });
  }

  /** Not our job to cancel: leave it pending, and end as the signal would have ended us. */
  private detachPending(s: NodeJS.Signals): void {
    process.stderr.write(`flux-job: detached from pending job ${this.f58} (${s})\n`);
    endCommand(128 + os.constants.signals[s]);
  }

  uninstall(): void {
    for (const [s, h] of this.handlers) process.off(s, h);
    this.handlers.clear();
  }

  private on(s: NodeJS.Signals, h: () => void): void {
    this.handlers.set(s, h);
    process.on(s, h);
  }

  private onInt(): void {
    const now = Date.now();
    if (now - this.lastInt <= 2000) {
      this.lastInt = 0;
      this.client
        .rpc('job-manager.raise', { id: this.id, type: 'cancel', severity: 0, note: 'interrupted by ctrl-C' })
        .catch((e: Error) => process.stderr.write(`flux-job: raise: ${e.message}\n`));
      return;
    }
    this.lastInt = now;
    process.stderr.write('flux-job: one more ctrl-C within 2s to cancel or ctrl-Z to detach\n');
  }

  private async forward(signum: number): Promise<void> {
    try {
      await jobManager.call(this.client, 'kill', { id: this.id, signum });
    } catch (e) {
      const fe = e as FluxError;
      if (fe.errno === Errno.ENOSYS) {
        try {
          await this.client.rpc('job-exec.kill', { id: this.id, signum });
          return;
        } catch (e2) {
          process.stderr.write(`flux-job: kill: ${(e2 as Error).message}\n`);
          return;
        }
      }
      process.stderr.write(`flux-job: kill: ${fe.message}\n`);
    }
  }
}
