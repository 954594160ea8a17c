/**
 * One run of a cron entry's command: `sh -c COMMAND` through the rexec
 * service (rexec.exec) on the entry's rank, as Flux's cron runs it through
 * broker.exec. Output is handed on line by line; the end (an exit status,
 * or an rexec error such as an unreachable rank) is reported once. A
 * timeout sends SIGTERM; kill() sends any signal through rexec.kill.
 */
import { OutputLines } from '../../lib/output-lines';
import { Errno, FluxError, type Handle, type StreamCall } from '../../kernel/api';
import type { RexecExecResponse } from '../../lib/protocol/rexec';
import type { CronTaskJson } from '../../lib/cron/types';

const now = () => Date.now() / 1000;

export interface TaskSpec {
  rank: number;
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** seconds; SIGTERM when it runs longer (none when <= 0 or undefined) */
  timeout?: number;
}

export interface TaskHooks {
  line(stderr: boolean, text: string): void;
  done(t: Task): void;
}

export class Task {
  pid = 0;
  status = 0;
  rexecErrno = 0;
  timedout = false;
  started = false;
  running = false;
  completed = false;
  readonly createTime = now();
  startTime = 0;
  runningTime = 0;
  endTime = 0;
  private call: StreamCall | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly out = new OutputLines((stream, l) => this.hooks.line(stream === 'stderr', l));

  constructor(
    private readonly h: Handle,
    readonly spec: TaskSpec,
    private readonly hooks: TaskHooks,
  ) {}

  /** Start it (once). */
  run(): void {
    if (this.started) return;
    this.started = true;
    this.startTime = now();
    const { rank, command, cwd, env } = this.spec;
    this.call = this.h.rpcStream('rexec.exec', { cmd: ['sh', '-c', command], cwd: cwd ?? null, env: env ?? null }, { nodeid: rank, onResponse: (p) => this.response(p as RexecExecResponse) });
    this.call.done.then(
      () => this.finish(),
      (e: unknown) => {
        if (!this.running) this.rexecErrno = e instanceof FluxError ? e.errno : Errno.EIO;
        this.finish();
      },
    );
    const t = this.spec.timeout;
    if (t !== undefined && t > 0) {
      this.timer = setTimeout(() => {
        this.timedout = true;
        this.kill(15);
      }, t * 1000);
      this.timer.unref();
    }
  }

  private response(r: RexecExecResponse): void {
    if (r.type === 'started') {
      this.running = true;
      this.runningTime = now();
      this.pid = r.pid ?? 0;
    } else if (r.type === 'output' && r.stream && r.data) {
      this.out.push(r.stream, r.data);
    } else if (r.type === 'exit') {
      this.status = r.status ?? 0;
    }
  }

  private finish(): void {
    if (this.completed) return;
    this.out.flush();
    this.completed = true;
    this.endTime = now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.hooks.done(this);
  }

  /** Signal the running process (through rexec on its rank); false if it is not running. */
  kill(signum: number): boolean {
    if (!this.running || this.completed) return false;
    this.h.rpc('rexec.kill', { pid: this.pid, signum }, { nodeid: this.spec.rank }).catch((e: Error) => this.h.log('debug', `kill pid ${this.pid} on rank ${this.spec.rank}: ${e.message}`));
    return true;
  }

  /** Stop following it (the module goes away): its stream is cancelled, its timer cleared. */
  abandon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.completed) this.call?.cancel();
  }

  /** Flux's state names, from what is known of the run. */
  get state(): string {
    if (this.rexecErrno) return 'Rexec Failure';
    if (!this.started) return 'Deferred';
    if (!this.completed) return 'Running';
    if (this.timedout) return 'Timeout';
    return this.status !== 0 ? 'Failed' : 'Exited';
  }

  /** exit code, or 128 + the signal */
  get code(): number {
    return this.status & 0x7f ? 128 + (this.status & 0x7f) : (this.status >> 8) & 0xff;
  }

  toJson(): CronTaskJson {
    const o: CronTaskJson = { rank: this.spec.rank, pid: this.pid, status: this.status, state: this.state, 'create-time': this.createTime };
    if (this.rexecErrno) o.rexec_errno = this.rexecErrno;
    if (this.timedout) o.timedout = true;
    if (this.completed) o.code = this.code;
    if (this.started) o['start-time'] = this.startTime;
    if (this.running) o['running-time'] = this.runningTime;
    if (this.completed) o['end-time'] = this.endTime;
    return o;
  }
}
