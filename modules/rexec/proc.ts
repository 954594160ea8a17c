/**
 * One process rexec started: its output goes to the client that follows it
 * (the exec request of a foreground process, an attach of a background one)
 * and, for a background process, line by line to the broker's log (stdout at
 * info, stderr at err, `LABEL: cmd[pid]: text`; its end at info, or at
 * warning if it failed) and into a bounded tail a wait can return.
 */
import type { ChildProcess } from 'node:child_process';
import type { Message } from '../../kernel/api';
import type { RexecExecResponse, RexecProcInfo, RexecRetained, RexecStream } from '../../lib/protocol/rexec';

/** a background process's output kept for `flux sproc wait -o` */
const RETAIN_BYTES = 64 * 1024;
/** a log line longer than this is logged in pieces */
const LOG_LINE_MAX = 4096;

export interface Follower {
  msg: Message;
  /** route[0] of its request: the client, to forget it when it goes away */
  sender: string;
  /** flow control: bytes it may still be sent before the process is paused (rexec.credit adds); undefined: none */
  window?: number;
}

export class Proc {
  state: 'R' | 'Z' = 'R';
  /** the wait status, once exited */
  status?: number;
  /** the client receiving output and status */
  follower?: Follower;
  /** a pending rexec.wait */
  waiter?: Follower;
  private readonly partial: Record<RexecStream, string> = { stdout: '', stderr: '' };
  private retained: { stream: RexecStream; data: Buffer }[] = [];
  /** its output is not read: the follower's window is used up */
  private paused = false;
  private retainedBytes = 0;

  constructor(
    readonly child: ChildProcess,
    readonly pid: number,
    readonly cmd: string[],
    /** the client that started it (a foreground process dies with it) */
    readonly sender: string,
    readonly bg: boolean,
    readonly waitable: boolean,
    readonly label: string | undefined,
    private readonly send: (to: Message, r: RexecExecResponse) => void,
    private readonly log: (level: 'info' | 'warning' | 'err', text: string) => void,
  ) {}

  /** `LABEL: cmd[pid]`: how the log names it */
  get name(): string {
    const base = `${this.cmd[0]!.split('/').pop()}[${this.pid}]`;
    return this.label !== undefined ? `${this.label}: ${base}` : base;
  }

  info(): RexecProcInfo {
    return { pid: this.pid, cmd: this.cmd, label: this.label ?? null, state: this.state, bg: this.bg, waitable: this.waitable, attached: this.follower !== undefined || this.waiter !== undefined };
  }

  output(stream: RexecStream, data: Buffer): void {
    const f = this.follower;
    if (f) {
      this.send(f.msg, { type: 'output', stream, data: data.toString('base64'), encoding: 'base64' });
      if (f.window !== undefined && (f.window -= data.length) <= 0) this.flow(false);
    }
    if (!this.bg) return;
    this.retain(stream, data);
    const lines = (this.partial[stream] + data.toString('utf8')).split('\n');
    let rest = lines.pop()!;
    while (rest.length > LOG_LINE_MAX) {
      lines.push(rest.slice(0, LOG_LINE_MAX));
      rest = rest.slice(LOG_LINE_MAX);
    }
    this.partial[stream] = rest;
    for (const l of lines) this.logLine(stream, l);
  }

  /** The follower wrote out `bytes` more: as many more may be sent. */
  credit(bytes: number): void {
    const f = this.follower;
    if (f?.window === undefined) return;
    f.window += bytes;
    if (f.window > 0) this.flow(true);
  }

  /** A new follower (undefined: none, and the output flows again). */
  follow(f: Follower | undefined): void {
    this.follower = f;
    if (f?.window === undefined || f.window > 0) this.flow(true);
  }

  /** stop or restart reading its output: a process that writes on blocks once its pipes are full */
  private flow(on: boolean): void {
    if (this.paused === !on) return;
    this.paused = !on;
    for (const s of [this.child.stdout, this.child.stderr]) {
      if (!s) continue;
      if (on) s.resume();
      else s.pause();
    }
  }

  /** the process has exited and its output ended: log it (background) and tell its follower */
  exited(status: number): void {
    this.status = status;
    if (this.bg) {
      for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.logLine(s, this.partial[s]);
      const sig = status & 0x7f;
      const code = (status >> 8) & 0xff;
      this.log(sig || code ? 'warning' : 'info', `${this.name}: ${sig ? `Killed by signal ${sig}` : `Exit ${code}`}`);
    }
  }

  /** the tail kept, consecutive pieces of one stream joined */
  retainedOutput(): RexecRetained[] {
    const out: { stream: RexecStream; parts: Buffer[] }[] = [];
    for (const r of this.retained) {
      const last = out[out.length - 1];
      if (last && last.stream === r.stream) last.parts.push(r.data);
      else out.push({ stream: r.stream, parts: [r.data] });
    }
    return out.map((o) => ({ stream: o.stream, data: Buffer.concat(o.parts).toString('base64') }));
  }

  private logLine(stream: RexecStream, line: string): void {
    this.log(stream === 'stdout' ? 'info' : 'err', `${this.name}: ${line}`);
  }

  private retain(stream: RexecStream, data: Buffer): void {
    this.retained.push({ stream, data });
    this.retainedBytes += data.length;
    while (this.retainedBytes > RETAIN_BYTES) {
      const first = this.retained[0]!;
      const excess = this.retainedBytes - RETAIN_BYTES;
      if (first.data.length <= excess) {
        this.retained.shift();
        this.retainedBytes -= first.data.length;
      } else {
        first.data = first.data.subarray(excess);
        this.retainedBytes -= excess;
      }
    }
  }
}
