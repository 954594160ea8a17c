/**
 * The rexec service: `rexec.exec` starts a process (own process group) and
 * streams its pid, output and exit status back; `rexec.write` and `rexec.kill`
 * reach a running one by pid (kill also by label). When the requesting
 * client disconnects, its foreground processes are killed; on unload, all
 * are. A background process (`bg`, flux exec --bg) outlives its client, logs
 * its output, and can be listed (`list`), waited for (`wait`, if waitable)
 * and followed (`attach`): flux sproc.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  LINEAGE_VAR,
  childLineage,
  Errno,
  FluxError,
  IHandle,
  MsgFlag,
  NO_RESPONSE,
  errnoFromCode,
  event,
  inject,
  injectable,
  methods,
  strerror,
  type BrokerModule,
  type Handle,
  type Message,
} from '../../kernel/api';
import type {
  Empty,
  RexecAttachRequest,
  RexecCreditRequest,
  RexecExecRequest,
  RexecExecResponse,
  RexecKillRequest,
  RexecListResponse,
  RexecProtocol,
  RexecWaitRequest,
  RexecWaitResponse,
  RexecWriteRequest,
} from '../../lib/protocol/rexec';
import { ownerEvent } from '../../lib/owner-event';
import { Proc } from './proc';

/** handler entries checked against modules/rexec/protocol.avsc */
const method = methods<RexecProtocol>();

@injectable()
export class Rexec implements BrokerModule {
  private readonly procs = new Map<number, Proc>();
  /** unloading: the processes it kills end unlogged */
  private stopping = false;
  /** labels of processes whose start is under way (their cwd is being checked) */
  private readonly reserved = new Set<string>();

  readonly handlers = [
    method('exec', (req, m) => this.exec(req, m)),
    method('write', (req, m) => this.write(req, m)),
    method('kill', (req) => this.kill(req)),
    method('credit', (req) => this.credit(req)),
    method('list', () => this.list()),
    method('wait', (req, m) => this.wait(req, m)),
    method('attach', (req, m) => this.attach(req, m)),
    // sent by the router (rolemask 0) when a client goes away
    method('disconnect', (_req, m) => this.disconnect(m), { ownerOnly: false }),
    // a client's own broker tells the other ranks that it went away (the owner's only: a guest's is ignored)
    event('rexec.client-gone', ownerEvent(() => this.h, (_m, ev) => this.killSender(ev.sender))),
  ];

  constructor(@inject(IHandle) private readonly h: Handle) {}

  stop(): void {
    this.stopping = true;
    for (const [pid, p] of this.procs) if (p.state === 'R') this.signal(pid, 'SIGKILL');
    this.procs.clear();
  }

  private exec(req: RexecExecRequest, msg: Message): typeof NO_RESPONSE {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
    if (req.cmd.length === 0) throw new FluxError(Errno.EPROTO, `${msg.topic}: malformed request: cmd: expected a non-empty array, got []`);
    if (req.waitable && !req.bg) throw new FluxError(Errno.EINVAL, 'the waitable flag is only supported in background mode');
    if (typeof req.label === 'string') {
      if (req.label === '') throw new FluxError(Errno.EINVAL, 'a label must not be empty');
      if (this.byLabel(req.label) || this.reserved.has(req.label)) throw new FluxError(Errno.EEXIST, `label ${req.label} is already in use on rank ${this.h.rank}`);
      this.reserved.add(req.label);
    }
    // the directory a client names is checked off the event loop (a hung mount must not stall the broker)
    const cwd = req.cwd ?? undefined;
    const checked = cwd === undefined ? Promise.resolve(undefined) : fs.promises.stat(cwd).then((st) => (st.isDirectory() ? undefined : 'ENOTDIR'), (e: NodeJS.ErrnoException) => e.code ?? 'EIO');
    void checked.then((code) => {
      if (code === undefined) this.launch(msg, req, cwd, []);
      else this.launch(msg, req, '/tmp', [`Could not change dir to ${cwd}: ${strerror(errnoFromCode(code))}. Going to /tmp instead\n`]);
    });
    return NO_RESPONSE;
  }

  private launch(msg: Message, req: RexecExecRequest, cwd: string | undefined, notices: string[]): void {
    const label = typeof req.label === 'string' ? req.label : undefined;
    if (label !== undefined) this.reserved.delete(label);
    // the process talks to the broker it runs under, whatever instance URI the caller had
    const env: NodeJS.ProcessEnv = { ...(req.env ?? process.env) };
    const uri = this.h.getattr('local-uri');
    if (uri !== undefined) env['FLUX_URI'] = uri;
    // the broker's reaper kills it (and what it starts) if the broker dies
    const uuid = this.h.getattr('broker.uuid');
    if (uuid !== undefined) env[LINEAGE_VAR] = childLineage(uuid);
    const bg = req.bg === true;
    const child = spawn(req.cmd[0]!, req.cmd.slice(1), {
      cwd,
      env,
      stdio: [bg ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // it started: 'close' ends it
      const errno = errnoFromCode(e.code);
      this.h.respondError(msg, errno, `${req.cmd[0]}: error launching process: ${strerror(errno)}`);
    });
    if (child.pid === undefined) return; // the error event answers
    const pid = child.pid;
    const sender = msg.route[0] ?? '';
    const p = new Proc(child, pid, req.cmd, sender, bg, bg && req.waitable === true, label, (to, r) => this.h.respond(to, r), (level, text) => this.h.log(level, text));
    this.procs.set(pid, p);
    this.h.respond(msg, { type: 'started', pid } satisfies RexecExecResponse);
    if (bg) this.h.respondError(msg, Errno.ENODATA);
    else p.follow({ msg, sender, window: req.credit ?? undefined });
    for (const n of notices) p.output('stderr', Buffer.from(n));
    child.stdout!.on('data', (d: Buffer) => p.status === undefined && p.output('stdout', d));
    child.stderr!.on('data', (d: Buffer) => p.status === undefined && p.output('stderr', d));
    child.stdin?.on('error', () => {}); // EPIPE when the process does not read stdin
    child.on('close', (code, sig) => {
      if (p.status !== undefined || this.stopping) return;
      const status = sig ? (os.constants.signals[sig] ?? 0) : (code ?? 0) << 8;
      this.finish(p, status);
    });
  }

  /** A process ended: its follower, or else its waiter, gets the status; a waitable one nobody collected stays a zombie. */
  private finish(p: Proc, status: number): void {
    p.exited(status);
    if (p.follower) {
      this.h.respond(p.follower.msg, { type: 'exit', status } satisfies RexecExecResponse);
      this.h.respondError(p.follower.msg, Errno.ENODATA);
      p.follower = undefined;
      this.procs.delete(p.pid);
    } else if (p.waiter) {
      this.h.respond(p.waiter.msg, { status, output: p.retainedOutput() } satisfies RexecWaitResponse);
      p.waiter = undefined;
      this.procs.delete(p.pid);
    } else if (p.waitable) {
      p.state = 'Z';
    } else {
      this.procs.delete(p.pid);
    }
  }

  private byLabel(label: string): Proc | undefined {
    for (const p of this.procs.values()) if (p.label === label) return p;
    return undefined;
  }

  /** a process named by pid, or by label when pid is -1; errno when there is none */
  private lookup(req: { pid: number; label?: string | null }, errno: number): Proc {
    const p = req.pid >= 0 ? this.procs.get(req.pid) : typeof req.label === 'string' ? this.byLabel(req.label) : undefined;
    if (p) return p;
    const what = req.pid >= 0 ? `pid ${req.pid}` : `label ${req.label ?? ''}`;
    throw new FluxError(errno, `${what}: no such process on rank ${this.h.rank}`);
  }

  /** a client wrote out more of a process's output (none there any more: it ended meanwhile) */
  private credit(req: RexecCreditRequest): Empty {
    this.procs.get(req.pid)?.credit(req.bytes);
    return {};
  }

  private list(): RexecListResponse {
    return { rank: this.h.rank, procs: [...this.procs.values()].map((p) => p.info()) };
  }

  private wait(req: RexecWaitRequest, msg: Message): RexecWaitResponse | typeof NO_RESPONSE {
    const p = this.lookup(req, Errno.ESRCH);
    if (!p.waitable) throw new FluxError(Errno.EINVAL, `${p.name} is not waitable (start it with flux exec --bg --waitable)`);
    if (p.waiter) throw new FluxError(Errno.EINVAL, `${p.name} already has a waiter`);
    if (p.follower) throw new FluxError(Errno.EBUSY, `${p.name} already has a client attached`);
    if (p.state === 'Z') {
      this.procs.delete(p.pid);
      return { status: p.status!, output: p.retainedOutput() };
    }
    p.waiter = { msg, sender: msg.route[0] ?? '' };
    return NO_RESPONSE;
  }

  private attach(req: RexecAttachRequest, msg: Message): typeof NO_RESPONSE {
    if (!(msg.flags & MsgFlag.Streaming)) throw new FluxError(Errno.EPROTO, `${msg.topic}: request must be streaming`);
    const p = this.lookup(req, Errno.ENOENT);
    if (p.follower || !p.bg) throw new FluxError(Errno.EBUSY, `${p.name} already has a client attached`);
    if (p.waiter) throw new FluxError(Errno.EBUSY, `${p.name} has a waiter`);
    this.h.respond(msg, { type: 'started', pid: p.pid } satisfies RexecExecResponse);
    if (p.state === 'Z') {
      // a waitable zombie: its status, which the attach collects
      this.h.respond(msg, { type: 'exit', status: p.status! } satisfies RexecExecResponse);
      this.h.respondError(msg, Errno.ENODATA);
      this.procs.delete(p.pid);
    } else {
      p.follow({ msg, sender: msg.route[0] ?? '', window: req.credit ?? undefined });
    }
    return NO_RESPONSE;
  }

  /**
   * Data for a process's stdin. The answer comes once the pipe has taken it
   * (or the process is gone): a client that waits for its answers before
   * sending more cannot fill the broker's memory faster than the process reads.
   */
  private write(req: RexecWriteRequest, msg: Message): Empty | typeof NO_RESPONSE {
    const p = this.lookup({ pid: req.pid }, Errno.ESRCH);
    const stdin = p.child.stdin;
    if (!stdin) throw new FluxError(Errno.EINVAL, `${p.name} runs in the background: its standard input is /dev/null`);
    let waiting = false;
    if (typeof req.data === 'string' && req.data.length > 0 && !stdin.writableEnded && !stdin.destroyed) {
      // above the pipe's high-water mark: answered once written (or with the error of a pipe the process closed)
      waiting = !stdin.write(Buffer.from(req.data, 'base64'), () => waiting && this.h.respond(msg, {}));
    }
    if (req.eof && !stdin.writableEnded) stdin.end();
    return waiting ? NO_RESPONSE : {};
  }

  private kill(req: RexecKillRequest): Empty {
    const p = this.lookup(req, Errno.ESRCH);
    if (p.state === 'Z') throw new FluxError(Errno.ESRCH, `${p.name} has exited`);
    if (!this.signal(p.pid, req.signum)) throw new FluxError(Errno.EINVAL, `invalid signal ${req.signum}`);
    return {};
  }

  private disconnect(msg: Message): typeof NO_RESPONSE {
    const who = msg.route[0];
    this.killSender(who);
    // requests it sent to other ranks passed by without us: tell them too
    if (who !== undefined && this.h.size > 1) {
      this.h.publish('rexec.client-gone', { sender: who }).catch((e: Error) => this.h.log('err', `client-gone: ${e.message}`));
    }
    return NO_RESPONSE;
  }

  /** A client went away: its foreground processes die, what it attached to or waited for goes on without it. */
  private killSender(who: string | undefined): void {
    if (who === undefined) return;
    for (const [pid, p] of this.procs) {
      if (!p.bg && p.sender === who) {
        this.signal(pid, 'SIGKILL');
        this.procs.delete(pid);
        continue;
      }
      if (p.bg && p.follower?.sender === who) p.follow(undefined);
      if (p.waiter?.sender === who) p.waiter = undefined;
    }
  }

  /** Signal the process group (falls back to the process). */
  private signal(pid: number, sig: NodeJS.Signals | number): boolean {
    try {
      process.kill(-pid, sig);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EINVAL') return false;
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
      return true;
    }
  }
}
