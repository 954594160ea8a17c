/**
 * The output files a job's shell opens on its own node (ShellContext.openOutput):
 * the output-file plugin's per-node and per-task --output/--error files, which
 * Flux's shells open and write where their tasks run, so that a file named
 * `out.{{node.id}}` or `{{tmpdir}}/out` is on that node's filesystem, not rank
 * 0's. Opened (and written) off the event loop by FileSink, or by a process
 * running as the job's submitter (UserFileSink) for a guest's job; all are
 * open before the shell starts a task. An error is the job's exception
 * (onError), as for the leader's files (exec-job.ts openSink).
 *
 * Flow control: what the tasks' output put in these files counts against the
 * shell's output window (shell.ts) until the files have it (flushed()), as
 * what goes to rank 0 counts until rank 0 acknowledges it.
 */
import { FileSink } from './file-sink';
import { UserFileSink } from './user-sink';
import type { ImpUser } from './imp';
import type { OutputSink } from './plugin-api';

export class ShellOutputs {
  private readonly sinks: Array<FileSink | UserFileSink> = [];

  constructor(
    /** the job's submitter when it is not the instance owner: its files are written as that user */
    private readonly asUser: () => ImpUser | undefined,
    private readonly onError: (note: string) => void,
  ) {}

  /** how many files were asked for */
  get count(): number {
    return this.sinks.length;
  }

  /** a file (an absolute path) for output; opened by openAll() */
  add(file: string, append: boolean, display: string): OutputSink {
    const as = this.asUser();
    const opts = { what: 'output file', display, append };
    const k = as ? new UserFileSink(file, as, opts) : new FileSink(file, opts);
    k.onError(this.onError);
    this.sinks.push(k);
    return k;
  }

  /** open every file (a FIFO: once it has a reader); false when one failed (onError had its line) or abort() gave up */
  async openAll(): Promise<boolean> {
    const opened = await Promise.all(this.sinks.map((k) => k.open()));
    return !opened.includes(false);
  }

  /** resolves once every file has what was written so far (or dropped it, failing) */
  async flushed(): Promise<void> {
    await Promise.all(this.sinks.map((k) => k.flushed()));
  }

  /** write out the rest and close every file */
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((k) => k.close()));
  }

  /** give up: stop waiting for a FIFO's reader, drop what is queued, close */
  abort(): void {
    for (const k of this.sinks) k.abort();
  }
}
